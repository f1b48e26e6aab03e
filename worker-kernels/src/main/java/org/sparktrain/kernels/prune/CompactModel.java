package org.sparktrain.kernels.prune;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sparktrain.kernels.model.ModelSpec;
import org.sparktrain.kernels.model.Network;
import org.sparktrain.kernels.model.ParamBlock;
import org.sparktrain.kernels.train.FloatArrays;

/**
 * Compact storage of a trained network for deployment: {@link #sparse} keeps a bit per parameter
 * (zero or not) and only the non-zero float32 values, exactly; {@link #int8} keeps each weight
 * block as int8 with one float32 scale per output channel (dense: per neuron, conv: per filter;
 * symmetric, scale = max |w| / 127) and biases as float32, so a weight is off by at most half its
 * channel's scale. Both files carry the model spec and {@link #read} rebuilds an ordinary network.
 */
public final class CompactModel {
  private static final int MAGIC = 0x53544331; // "STC1"
  private static final byte SPARSE = 1;
  private static final byte INT8 = 2;

  private CompactModel() {}

  /** The parameters as a non-zero bitmap plus the non-zero values (lossless). */
  public static byte[] sparse(Network net) throws IOException {
    float[] p = FloatArrays.flat(net.params());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = header(bytes, net.spec(), SPARSE, p.length);
    long[] bits = new long[(p.length + 63) >>> 6];
    int nnz = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] != 0f) {
        bits[i >>> 6] |= 1L << i;
        nnz++;
      }
    }
    for (long w : bits) {
      out.writeLong(w);
    }
    out.writeInt(nnz);
    for (float v : p) {
      if (v != 0f) {
        out.writeFloat(v);
      }
    }
    out.flush();
    return bytes.toByteArray();
  }

  /** Weight blocks as int8 with a scale per output channel, other parameters as float32. */
  public static byte[] int8(Network net) throws IOException {
    float[] p = FloatArrays.flat(net.params());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = header(bytes, net.spec(), INT8, p.length);
    List<ParamBlock> blocks = net.parameterBlocks();
    out.writeInt(blocks.size());
    for (ParamBlock b : blocks) {
      out.writeLong(b.offset());
      out.writeLong(b.length());
      if (!b.isWeight()) {
        out.writeInt(0);
        for (long i = b.offset(); i < b.offset() + b.length(); i++) {
          out.writeFloat(p[(int) i]);
        }
        continue;
      }
      int channels = channels(b);
      long per = b.length() / channels;
      out.writeInt(channels);
      float[] scales = new float[channels];
      for (int c = 0; c < channels; c++) {
        float max = 0;
        for (long i = b.offset() + c * per; i < b.offset() + (c + 1) * per; i++) {
          max = Math.max(max, Math.abs(p[(int) i]));
        }
        scales[c] = max / 127f;
        out.writeFloat(scales[c]);
      }
      for (int c = 0; c < channels; c++) {
        for (long i = b.offset() + c * per; i < b.offset() + (c + 1) * per; i++) {
          out.writeByte(scales[c] == 0 ? 0 : Math.round(p[(int) i] / scales[c]));
        }
      }
    }
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * Output channels of a weight block, each a contiguous run of the flat vector: a dense layer's
   * [nIn, nOut] weights are stored column by column (one neuron each), a convolution's
   * [nOut, nIn, kH, kW] filter by filter; biases and other shapes count as one channel.
   */
  public static int channels(ParamBlock b) {
    if (!b.isWeight()) {
      return 1;
    }
    long[] s = b.shape();
    long c = s.length == 2 ? s[1] : s.length == 4 ? s[0] : 1;
    return c > 0 && b.length() % c == 0 ? (int) c : 1;
  }

  private static DataOutputStream header(ByteArrayOutputStream bytes, ModelSpec spec, byte kind, int params)
      throws IOException {
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeByte(kind);
    out.writeUTF(spec.kind().name());
    byte[] json = spec.json().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.writeInt(params);
    return out;
  }

  /** Rebuilds the network a {@link #sparse} or {@link #int8} file holds (int8: the dequantised weights). */
  public static Network read(byte[] file, String name) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(file));
    try {
      if (in.readInt() != MAGIC) {
        throw new IOException(name + " is not a sparktrain compact model (bad magic number)");
      }
      byte kind = in.readByte();
      ModelSpec.Kind k = ModelSpec.Kind.valueOf(in.readUTF());
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      ModelSpec spec = new ModelSpec(k, new String(json, StandardCharsets.UTF_8));
      float[] p = new float[in.readInt()];
      if (kind == SPARSE) {
        long[] bits = new long[(p.length + 63) >>> 6];
        for (int w = 0; w < bits.length; w++) {
          bits[w] = in.readLong();
        }
        int nnz = in.readInt();
        int seen = 0;
        for (int i = 0; i < p.length; i++) {
          if ((bits[i >>> 6] & (1L << i)) != 0) {
            p[i] = in.readFloat();
            seen++;
          }
        }
        if (seen != nnz) {
          throw new IOException(name + ": the bitmap marks " + seen + " non-zeros, the header says " + nnz);
        }
      } else if (kind == INT8) {
        int blocks = in.readInt();
        for (int bi = 0; bi < blocks; bi++) {
          long off = in.readLong();
          long len = in.readLong();
          int channels = in.readInt();
          if (off < 0 || off + len > p.length || (channels > 0 && len % channels != 0)) {
            throw new IOException(name + ": block " + bi + " [" + off + ", +" + len + ") does not fit " + p.length
                + " parameters");
          }
          if (channels == 0) {
            for (long i = off; i < off + len; i++) {
              p[(int) i] = in.readFloat();
            }
            continue;
          }
          float[] scales = new float[channels];
          for (int c = 0; c < channels; c++) {
            scales[c] = in.readFloat();
          }
          long per = len / channels;
          for (int c = 0; c < channels; c++) {
            for (long i = off + c * per; i < off + (c + 1) * per; i++) {
              p[(int) i] = in.readByte() * scales[c];
            }
          }
        }
      } else {
        throw new IOException(name + ": unknown compact model kind " + kind);
      }
      return spec.build(p);
    } catch (java.io.EOFException e) {
      throw new IOException(name + " is truncated (" + file.length + " bytes)", e);
    }
  }
}
