package org.sparktrain.kernels.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Header of an IDX file (the MNIST family): {@code 0x00 0x00 TYPE NDIMS} then NDIMS big-endian
 * int32 dimensions. Only unsigned-byte data (type 0x08) is accepted, which is what the MNIST
 * family uses.
 *
 * @param dims dimensions; {@code dims[0]} is the number of records
 */
public record IdxHeader(int[] dims) implements Serializable {
  /** IDX type code for unsigned bytes. */
  public static final int TYPE_UBYTE = 0x08;

  public IdxHeader {
    dims = dims.clone();
  }

  /** Number of records (the first dimension). */
  public int count() {
    return dims[0];
  }

  /** Bytes per record: the product of all dimensions after the first (1 for label files). */
  public int recordSize() {
    long size = 1;
    for (int i = 1; i < dims.length; i++) {
      size *= dims[i];
    }
    return (int) size;
  }

  /** Total number of data bytes the header promises. */
  public long dataBytes() {
    return (long) count() * recordSize();
  }

  /** Record shape without the count, e.g. {@code [28, 28]}. */
  public int[] recordShape() {
    return Arrays.copyOfRange(dims, 1, dims.length);
  }

  /**
   * Reads and validates a header.
   *
   * @param in stream positioned at the start of the (decompressed) file
   * @param path file name for error messages
   */
  public static IdxHeader read(DataInputStream in, String path) throws IOException {
    int b0;
    int b1;
    int type;
    int ndims;
    try {
      b0 = in.readUnsignedByte();
      b1 = in.readUnsignedByte();
      type = in.readUnsignedByte();
      ndims = in.readUnsignedByte();
    } catch (EOFException e) {
      throw new CorruptDataException(path, "file is empty or shorter than an IDX header (4 bytes)");
    }
    if (b0 != 0 || b1 != 0) {
      throw new CorruptDataException(path, String.format(
          "wrong magic number 0x%02x%02x%02x%02x: not an IDX file (expected 0x0000TTDD)", b0, b1, type, ndims));
    }
    if (type != TYPE_UBYTE) {
      throw new CorruptDataException(path, String.format(
          "IDX data type 0x%02x is not supported (only 0x08, unsigned byte)", type));
    }
    if (ndims < 1 || ndims > 4) {
      throw new CorruptDataException(path, "IDX header declares " + ndims + " dimensions (1 to 4 allowed)");
    }
    int[] dims = new int[ndims];
    try {
      for (int i = 0; i < ndims; i++) {
        dims[i] = in.readInt();
      }
    } catch (EOFException e) {
      throw new CorruptDataException(path, "truncated IDX header");
    }
    long record = 1;
    for (int i = 0; i < ndims; i++) {
      if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
        throw new CorruptDataException(path, "IDX dimension " + i + " is " + dims[i]);
      }
      if (i > 0) {
        record *= dims[i];
      }
    }
    if (record > Integer.MAX_VALUE / 2) {
      throw new CorruptDataException(path, "IDX record size " + record + " bytes is too large");
    }
    return new IdxHeader(dims);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxHeader h && Arrays.equals(dims, h.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return "IdxHeader" + Arrays.toString(dims);
  }
}
