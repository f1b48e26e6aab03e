package org.sparktrain.driver.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.data.ImageFolderSource;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;
import scala.reflect.ClassTag$;

/**
 * Everything sparktrain broadcasts or returns from tasks survives Spark's Kryo serializer. Local
 * mode never serializes broadcasts, so only a cluster would otherwise notice a type Kryo cannot
 * rebuild (a record, or transient state written by writeObject).
 */
class KryoRoundTripTest {
  private static final SerializerInstance KRYO = new KryoSerializer(SparkSettings.withDefaults(new SparkConf()))
      .newInstance();

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) {
    return (T) KRYO.deserialize(KRYO.serialize(value, ClassTag$.MODULE$.AnyRef()), ClassTag$.MODULE$.AnyRef());
  }

  @Test
  void hadoopConfigurationKeepsItsSettings() {
    Configuration c = new Configuration(false);
    c.set("fs.s3a.endpoint", "http://minio:9000");
    assertEquals("http://minio:9000", roundTrip(new org.sparktrain.driver.data.SerializableHadoopConf(c)).get().get("fs.s3a.endpoint"));
  }

  @Test
  void imageFolderListing() {
    ImageFolderSource.Listing l = new ImageFolderSource.Listing("/data", List.of("a", "b"), List.of("/data/a/1.png"),
        new int[] {0});
    ImageFolderSource.Listing back = roundTrip(l);
    assertEquals(l.files(), back.files());
    assertArrayEquals(l.labels(), back.labels());
  }

  @Test
  void roundPayloads() {
    ModelState s = roundTrip(new ModelState(new float[] {1, 2}, new float[] {3}, 7, 1));
    assertArrayEquals(new float[] {1, 2}, s.params());
    assertEquals(7, s.iteration());
    assertEquals(ModelState.Mode.RESET, s.mode());
    ReplicaUpdate u = roundTrip(ReplicaUpdate.builder().partition(3).params(new float[] {1}).examples(5).batches(1)
        .lossSum(2.5).worker("w").device("cpu").attempt(2).build()
        .withStart("correct"));
    assertEquals(3, u.partition());
    assertEquals(2, u.attempt());
    assertEquals("correct", u.start());
  }

  /** The same payloads through Kryo's plain streams, for a user who sets spark.kryo.unsafe=false. */
  @Test
  void roundPayloadsWithoutUnsafeStreams() {
    SerializerInstance plain = new KryoSerializer(SparkSettings.withDefaults(new SparkConf()
        .set("spark.kryo.unsafe", "false"))).newInstance();
    ModelState s = (ModelState) plain.deserialize(plain.serialize(new ModelState(new float[] {1.5f, -2}, new float[] {3},
        7, 1), ClassTag$.MODULE$.AnyRef()), ClassTag$.MODULE$.AnyRef());
    assertArrayEquals(new float[] {1.5f, -2}, s.params());
    assertArrayEquals(new float[] {3}, s.updaterState());
  }

  /** Every field of an overlapped round's broadcast reaches the executors (local mode never serializes it). */
  @Test
  void overlappedRoundStateKeepsEveryField() {
    ModelState s = roundTrip(new ModelState(new float[] {1, 2}, null, 70, 2, ModelState.Mode.CORRECT, 5, true,
        new int[] {1, 3}, 0.25f));
    assertEquals(ModelState.Mode.CORRECT, s.mode());
    assertEquals(5, s.baseRound());
    assertEquals(true, s.overlap());
    assertArrayEquals(new int[] {1, 3}, s.resetPartitions());
    assertEquals(0.25f, s.gain());
    assertEquals(null, s.updaterState());
    assertEquals(70, s.iteration());
    assertEquals(2, s.epoch());
  }
}
