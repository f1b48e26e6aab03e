package org.sparktrain.driver.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.sparktrain.kernels.train.FloatArrays;
import org.sparktrain.kernels.train.ModelState;
import org.sparktrain.kernels.train.ReplicaUpdate;

/**
 * Kryo serializers for the per-round payloads (parameters, updater state): float arrays are
 * written as one bulk byte copy instead of element by element.
 */
final class FastSerializers {
  private FastSerializers() {}

  static void writeFloats(Output out, float[] a) {
    if (a == null) {
      out.writeInt(-1, true);
      return;
    }
    byte[] b = FloatArrays.toBytes(a);
    out.writeInt(b.length, true);
    out.writeBytes(b);
  }

  static float[] readFloats(Input in) {
    int n = in.readInt(true);
    return n < 0 ? null : FloatArrays.fromBytes(in.readBytes(n));
  }

  /** {@link ModelState}. */
  static final class ModelStateSerializer extends Serializer<ModelState> {
    @Override
    public void write(Kryo kryo, Output out, ModelState s) {
      writeFloats(out, s.params());
      writeFloats(out, s.updaterState());
      out.writeInt(s.iteration());
      out.writeInt(s.epoch());
    }

    @Override
    public ModelState read(Kryo kryo, Input in, Class<ModelState> type) {
      return new ModelState(readFloats(in), readFloats(in), in.readInt(), in.readInt());
    }
  }

  /** {@link ReplicaUpdate}. */
  static final class ReplicaUpdateSerializer extends Serializer<ReplicaUpdate> {
    @Override
    public void write(Kryo kryo, Output out, ReplicaUpdate u) {
      out.writeInt(u.partition());
      writeFloats(out, u.params());
      writeFloats(out, u.updaterState());
      out.writeLong(u.examples());
      out.writeInt(u.batches());
      out.writeDouble(u.lossSum());
      out.writeDouble(u.computeSeconds());
      out.writeDouble(u.dataSeconds());
      out.writeDouble(u.loadSeconds());
      out.writeDouble(u.deltaSquaredNorm());
      out.writeString(u.worker());
      out.writeString(u.device());
      out.writeInt(u.attempt());
    }

    @Override
    public ReplicaUpdate read(Kryo kryo, Input in, Class<ReplicaUpdate> type) {
      return new ReplicaUpdate(in.readInt(), readFloats(in), readFloats(in), in.readLong(), in.readInt(),
          in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readString(),
          in.readString(), in.readInt());
    }
  }
}
