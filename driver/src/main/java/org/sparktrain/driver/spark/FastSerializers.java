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
    out.writeInt(a.length * Float.BYTES, true);
    if (out instanceof com.esotericsoftware.kryo.io.UnsafeOutput) {
      // spark.kryo.unsafe (sparktrain's default): one memory copy straight into Kryo's buffer
      out.writeFloats(a);
    } else {
      out.writeBytes(FloatArrays.toBytes(a));
    }
  }

  static float[] readFloats(Input in) {
    int n = in.readInt(true);
    if (n < 0) {
      return null;
    }
    if (in instanceof com.esotericsoftware.kryo.io.UnsafeInput) {
      return in.readFloats(n / Float.BYTES);
    }
    return FloatArrays.fromBytes(in.readBytes(n));
  }

  /** {@link ModelState}. */
  static final class ModelStateSerializer extends Serializer<ModelState> {
    @Override
    public void write(Kryo kryo, Output out, ModelState s) {
      writeFloats(out, s.params());
      writeFloats(out, s.updaterState());
      out.writeInt(s.iteration());
      out.writeInt(s.epoch());
      out.writeInt(s.mode().ordinal());
      out.writeInt(s.baseRound());
      out.writeBoolean(s.overlap());
      out.writeInt(s.resetPartitions().length);
      for (int p : s.resetPartitions()) {
        out.writeInt(p);
      }
      out.writeFloat(s.gain());
      byte[] mask = s.mask() == null ? null : s.mask().toBytes();
      out.writeInt(mask == null ? -1 : mask.length);
      if (mask != null) {
        out.writeBytes(mask);
      }
    }

    @Override
    public ModelState read(Kryo kryo, Input in, Class<ModelState> type) {
      float[] params = readFloats(in);
      float[] updater = readFloats(in);
      int iteration = in.readInt();
      int epoch = in.readInt();
      ModelState.Mode mode = ModelState.Mode.values()[in.readInt()];
      int baseRound = in.readInt();
      boolean overlap = in.readBoolean();
      int[] resets = new int[in.readInt()];
      for (int i = 0; i < resets.length; i++) {
        resets[i] = in.readInt();
      }
      float gain = in.readFloat();
      int maskBytes = in.readInt();
      org.sparktrain.kernels.prune.PruningMask mask = maskBytes < 0 ? null
          : org.sparktrain.kernels.prune.PruningMask.fromBytes(in.readBytes(maskBytes));
      return new ModelState(params, updater, iteration, epoch, mode, baseRound, overlap, resets, gain, mask);
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
      out.writeString(u.start());
    }

    @Override
    public ReplicaUpdate read(Kryo kryo, Input in, Class<ReplicaUpdate> type) {
      return new ReplicaUpdate(in.readInt(), readFloats(in), readFloats(in), in.readLong(), in.readInt(),
          in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readString(),
          in.readString(), in.readInt(), in.readString());
    }
  }
}
