package org.sparktrain.kernels.device;

import java.util.concurrent.CyclicBarrier;

/**
 * Run in a fresh JVM by {@code JavaCppTest}: one thread initialises ND4J (which loads JavaCPP through
 * {@code Loader}) while another reads a JavaCPP memory gauge, released together. Exits 0 when both
 * finish. With {@code raw} the gauge thread touches {@code Pointer} directly (the deadlock the monitor
 * sampler hit); otherwise it reads through {@link JavaCpp#memory}, as the sampler and preflight do.
 */
public final class JavaCppRace {
  private JavaCppRace() {}

  public static void main(String[] args) throws Exception {
    boolean raw = args.length > 0 && args[0].equals("raw");
    long delayMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
    CyclicBarrier go = new CyclicBarrier(2);
    Thread nd4j = new Thread(() -> {
      await(go);
      // what ND4J's backend loading starts with (Nd4jCpu.<clinit> -> Loader.load)
      try {
        Class.forName("org.bytedeco.javacpp.Loader");
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread gauge = new Thread(() -> {
      await(go);
      sleep(delayMs); // land inside Loader's static initialiser, which loads the JNI library
      if (raw) {
        org.bytedeco.javacpp.Pointer.physicalBytes();
      } else {
        JavaCpp.memory(); // what the monitor sampler and preflight call
      }
    });
    nd4j.setDaemon(true);
    gauge.setDaemon(true);
    nd4j.start();
    gauge.start();
    nd4j.join(20_000);
    gauge.join(20_000);
    System.out.println(nd4j.isAlive() || gauge.isAlive() ? "DEADLOCK" : "OK");
    System.exit(nd4j.isAlive() || gauge.isAlive() ? 3 : 0);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
