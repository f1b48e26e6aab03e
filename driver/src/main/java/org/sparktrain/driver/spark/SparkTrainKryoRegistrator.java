package org.sparktrain.driver.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.sparktrain.driver.train.ParameterSum;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * ND4J's Kryo registrations plus sparktrain's own types. The per-round payloads (parameters,
 * updater state) have bulk-copy serializers; the rest travel with Java serialization inside Kryo
 * (records' final fields cannot be set by Kryo's field serializer; {@link ParameterSum} is
 * Externalizable with bulk array writes).
 */
public final class SparkTrainKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    new Nd4jRegistrator().registerClasses(kryo);
    kryo.register(ModelState.class, new FastSerializers.ModelStateSerializer());
    kryo.register(ReplicaUpdate.class, new FastSerializers.ReplicaUpdateSerializer());
    kryo.register(ExampleBlock.class, new JavaSerializer());
    kryo.register(org.sparktrain.kernels.model.ModelSpec.class, new JavaSerializer());
    kryo.register(org.sparktrain.kernels.data.LabelKind.class, new JavaSerializer());
    kryo.register(ParameterSum.class, new JavaSerializer());
    kryo.register(ExecutorReport.class, new JavaSerializer());
    kryo.register(org.sparktrain.driver.data.ImageFolderSource.Decoded.class, new JavaSerializer());
    // broadcast to the tasks that read data: a record, and a class whose state is written by writeObject
    kryo.register(org.sparktrain.driver.data.ImageFolderSource.Listing.class, new JavaSerializer());
    kryo.register(org.sparktrain.driver.data.SerializableHadoopConf.class, new JavaSerializer());
  }
}
