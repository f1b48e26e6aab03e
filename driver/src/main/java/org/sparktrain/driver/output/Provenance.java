package org.sparktrain.driver.output;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything needed to reproduce a trained artefact: the resolved config, the data with content
 * hashes, the seed, the code version and the runtime (Java, OS, Spark, ND4J backend).
 */
public final class Provenance {
  private Provenance() {}

  /** The environment the run executed in ({@code sc} may be null for engines without Spark). */
  public static Map<String, Object> environment(JavaSparkContext sc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sparktrain_version", BuildInfo.get("sparktrain.version"));
    m.put("git_commit", BuildInfo.get("git.commit"));
    m.put("git_dirty", BuildInfo.get("git.dirty"));
    m.put("java_version", System.getProperty("java.version"));
    m.put("java_vendor", System.getProperty("java.vendor"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("host", hostName());
    m.put("spark_version", sc != null ? sc.version() : org.apache.spark.package$.MODULE$.SPARK_VERSION());
    m.put("spark_master", sc != null ? sc.master() : "none (engine without Spark)");
    m.put("scala_version", scala.util.Properties.versionNumberString());
    m.put("dl4j_version", BuildInfo.get("dl4j.version"));
    m.put("nd4j_backend", Nd4j.getBackend().getClass().getName());
    m.put("nd4j_backend_artifact", BuildInfo.get("nd4j.backend") + ":" + BuildInfo.get("nd4j.backend.version"));
    m.put("nd4j_native_build", org.sparktrain.kernels.device.NativeBackend.classifier());
    m.put("layer_helpers", org.sparktrain.kernels.model.LayerHelpers.enabled());
    m.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    m.put("created_utc", Instant.now().toString());
    return m;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
