package org.sparktrain.kernels.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Which native build of ND4J this jar carries, and the one step that lets JavaCPP find it.
 *
 * <p>The default build carries ND4J's {@code linux-x86_64-onednn-avx2} natives (libnd4j with oneDNN).
 * JavaCPP looks for them under the platform name plus an extension, which it reads from the system
 * property {@value #EXTENSION_PROPERTY} when ND4J first loads. {@link #select()} sets that property
 * (unless the user set it) and must run before ND4J's first use in a JVM: sparktrain's CLI main class,
 * the executor plugin (before any task runs) and the Spark ML estimator call it; tests and scripts
 * pass it on the command line. The values come from the parent pom ({@code nd4j.classifier},
 * {@code nd4j.platform.extension}) through {@code backend.properties}, so they are defined once.
 */
public final class NativeBackend {
  /** The JavaCPP system property naming the platform extension of the natives to load. */
  public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

  private static final Properties BUILD = load();

  private NativeBackend() {}

  /** The ND4J native classifier this jar was built with, e.g. {@code linux-x86_64-onednn-avx2}. */
  public static String classifier() {
    return BUILD.getProperty("nd4j.classifier", "");
  }

  /** The JavaCPP platform extension of that build ({@code -onednn-avx2}; empty for the plain build). */
  public static String extension() {
    return BUILD.getProperty("platform.extension", "");
  }

  /**
   * Sets {@value #EXTENSION_PROPERTY} to this build's extension unless it is already set, and refuses a
   * CPU the build cannot run on (an AVX2 build on a CPU without AVX2 would die on an illegal instruction).
   * Cheap and idempotent; call it before anything touches ND4J.
   */
  public static void select() {
    String ext = extension();
    if (ext.contains("avx2")) {
      requireCpuFlag("avx2");
    }
    if (System.getProperty(EXTENSION_PROPERTY) == null && !ext.isEmpty()) {
      System.setProperty(EXTENSION_PROPERTY, ext);
    }
  }

  private static void requireCpuFlag(String flag) {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return;
    }
    try {
      requireCpuFlag(flag, Files.readString(cpuinfo, StandardCharsets.UTF_8), classifier());
    } catch (IOException e) {
      // unreadable: let ND4J's own loading report what it finds
    }
  }

  /** Refuses {@code cpuinfo} (the text of /proc/cpuinfo) when its first {@code flags} line lacks {@code flag}. */
  static void requireCpuFlag(String flag, String cpuinfo, String classifier) {
    String flags = cpuinfo.lines().filter(l -> l.startsWith("flags")).findFirst().orElse("");
    if (!flags.isEmpty() && !(" " + flags.substring(flags.indexOf(':') + 1) + " ").contains(" " + flag + " ")) {
      throw new IllegalStateException("this sparktrain jar carries ND4J's " + classifier + " natives, but this CPU "
          + "(/proc/cpuinfo) has no " + flag.toUpperCase(java.util.Locale.ROOT) + ": build a jar for it with "
          + "mvn package -Dnd4j.classifier=linux-x86_64 -Dnd4j.platform.extension=");
    }
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = NativeBackend.class.getResourceAsStream("backend.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
