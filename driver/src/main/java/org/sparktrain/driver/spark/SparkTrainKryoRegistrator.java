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
 * ND4J's Kryo registrations plus sparktrain's own types. Our records hold final fields that Kryo's
 * field serializer cannot set, so they travel with Java serialization inside Kryo (they are
 * mostly primitive arrays, which Java serialization writes compactly).
 */
public final class SparkTrainKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    new Nd4jRegistrator().registerClasses(kryo);
    kryo.register(ModelState.class, new JavaSerializer());
    kryo.register(ReplicaUpdate.class, new JavaSerializer());
    kryo.register(ExampleBlock.class, new JavaSerializer());
    kryo.register(ParameterSum.class, new JavaSerializer());
  }
}
