package org.sparktrain.driver.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** One file written whole or not at all: a hidden temporary file renamed into place. */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Writes {@code text} to {@code file} (any Hadoop path), refusing to replace an existing file
   * unless {@code overwrite} ({@link OutputExistsException}); the old file stays until the new one
   * is complete.
   */
  public static void writeText(String file, String text, boolean overwrite, Configuration hadoop) {
    Path out = new Path(file);
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      if (fs.exists(out) && !overwrite) {
        throw new OutputExistsException(out + " exists; pass --overwrite to replace it");
      }
      Path tmp = new Path(out.getParent() == null ? new Path(".") : out.getParent(), "." + out.getName() + ".tmp");
      try (OutputStream o = fs.create(tmp, true)) {
        o.write(text.getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(out)) {
        fs.delete(out, false);
      }
      if (!fs.rename(tmp, out)) {
        throw new IOException("could not rename " + tmp + " to " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Refuses an existing {@code path} unless {@code overwrite}. */
  public static void requireAvailable(String path, boolean overwrite, Configuration hadoop) {
    Path p = new Path(path);
    try {
      if (p.getFileSystem(hadoop).exists(p) && !overwrite) {
        throw new OutputExistsException(p + " exists; pass --overwrite to replace it");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
