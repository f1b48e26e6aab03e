package org.sparktrain.kernels.device;

/**
 * Safe first use of JavaCPP from any thread. JavaCPP's {@code Loader} and {@code Pointer} initialise
 * each other: {@code Loader}'s static initialiser loads the JNI library, whose {@code JNI_OnLoad}
 * needs {@code Pointer} initialised, and {@code Pointer}'s initialiser needs {@code Loader}. A thread
 * that touches {@code Pointer} first (a memory gauge: {@code Pointer.physicalBytes()}) while another
 * thread is initialising {@code Loader} (ND4J's backend loading) deadlocks both, forever. Entering
 * through {@code Loader} in every thread makes the order the same everywhere: the second thread waits
 * for the first to finish instead.
 */
public final class JavaCpp {
  private static volatile boolean loaded;

  private JavaCpp() {}

  /** Initialises JavaCPP's {@code Loader} (and so {@code Pointer}) in the safe order; call before any {@code Pointer} static. */
  public static void initLoaderFirst() {
    if (loaded) {
      return;
    }
    NativeBackend.select();
    try {
      Class.forName("org.bytedeco.javacpp.Loader", true, JavaCpp.class.getClassLoader());
      loaded = true;
    } catch (ClassNotFoundException e) {
      throw new NoClassDefFoundError("org.bytedeco.javacpp.Loader");
    }
  }

  /**
   * JavaCPP's tracked native bytes, the process's resident bytes and JavaCPP's physical-memory limit
   * ({@code Pointer.totalBytes}, {@code physicalBytes}, {@code maxPhysicalBytes}), read safely from any
   * thread; zeros where JavaCPP cannot load.
   */
  public static long[] memory() {
    try {
      initLoaderFirst();
      return new long[] {org.bytedeco.javacpp.Pointer.totalBytes(), org.bytedeco.javacpp.Pointer.physicalBytes(),
          org.bytedeco.javacpp.Pointer.maxPhysicalBytes()};
    } catch (LinkageError e) {
      return new long[3];
    }
  }

  /** JavaCPP's off-heap limit ({@code Pointer.maxBytes}), read safely from any thread. */
  public static long maxBytes() {
    initLoaderFirst();
    return org.bytedeco.javacpp.Pointer.maxBytes();
  }
}
