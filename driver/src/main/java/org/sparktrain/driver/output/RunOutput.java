package org.sparktrain.driver.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output directory on any Hadoop path. Artefacts are written into a staging folder inside it
 * and only moved into place by {@link #commit()}, which writes {@code _SUCCESS} last: a directory
 * without {@code _SUCCESS} never looks like a finished run, and a failed run never replaces the
 * files of an earlier one.
 */
public final class RunOutput {
  /** Marker written after every artefact is in place. */
  public static final String SUCCESS = "_SUCCESS";

  private final FileSystem fs;
  private final Path dir;
  private final Path staging;
  private final Set<String> staged = new LinkedHashSet<>();
  /** Whether this run created the output directory (only then may a failed run remove it). */
  private final boolean created;

  private RunOutput(FileSystem fs, Path dir, Path staging, boolean created) {
    this.fs = fs;
    this.dir = dir;
    this.staging = staging;
    this.created = created;
  }

  /**
   * Fails fast, before any work, when {@code dir} holds files and {@code overwrite} is false.
   *
   * @throws OutputExistsException if so
   */
  public static void checkAvailable(String dir, boolean overwrite, Configuration conf) {
    Path path = new Path(dir);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        return;
      }
      if (!fs.getFileStatus(path).isDirectory()) {
        throw new OutputExistsException("output " + dir + " exists and is a file, not a directory");
      }
      FileStatus[] entries = fs.listStatus(path);
      if (entries.length > 0 && !overwrite) {
        List<String> names = Arrays.stream(entries).map(e -> e.getPath().getName()).sorted().limit(5).toList();
        throw new OutputExistsException("output directory " + dir + " is not empty (" + entries.length
            + " entries, e.g. " + names + "); pass --overwrite to replace its results or choose another --output");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check output directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks and creates the output directory.
   *
   * @throws OutputExistsException if it holds files and {@code overwrite} is false
   */
  public static RunOutput open(String dir, boolean overwrite, String runId, Configuration conf) {
    Path path = new Path(dir);
    try {
      checkAvailable(dir, overwrite, conf);
      FileSystem fs = path.getFileSystem(conf);
      boolean created = !fs.exists(path);
      fs.mkdirs(path);
      Path staging = new Path(path, "_staging-" + runId);
      fs.mkdirs(staging);
      return new RunOutput(fs, fs.makeQualified(path), fs.makeQualified(staging), created);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare output directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reopens the output directory of an interrupted run to continue it: staging folders its earlier
   * attempts left are removed, published files and checkpoints stay.
   */
  public static RunOutput reopen(String dir, String runId, Configuration conf) {
    Path path = new Path(dir);
    try {
      FileSystem fs = path.getFileSystem(conf);
      fs.mkdirs(path);
      for (FileStatus st : fs.listStatus(path)) {
        if (st.isDirectory() && st.getPath().getName().startsWith("_staging-")) {
          fs.delete(st.getPath(), true);
        }
      }
      Path staging = new Path(path, "_staging-" + runId);
      fs.mkdirs(staging);
      return new RunOutput(fs, fs.makeQualified(path), fs.makeQualified(staging), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reopen output directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code dir} holds a finished run ({@code _SUCCESS}). */
  public static boolean finished(String dir, Configuration conf) {
    Path path = new Path(dir);
    try {
      return path.getFileSystem(conf).exists(new Path(path, SUCCESS));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check output directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The qualified output directory. */
  public String dir() {
    return dir.toString();
  }

  /** Stages a text artefact, credentials redacted ({@link Secrets}). */
  public void writeText(String name, String text) {
    write(name, out -> out.write(Secrets.redact(text).getBytes(StandardCharsets.UTF_8)));
  }

  /** Stages an artefact written by {@code body}. */
  public void write(String name, IoBody body) {
    Path p = new Path(staging, name);
    try (OutputStream out = fs.create(p, true)) {
      body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
    }
    staged.add(name);
  }

  /** Moves every staged artefact into place, then writes {@code _SUCCESS}. */
  public List<String> commit() {
    List<String> published = new ArrayList<>();
    try {
      fs.delete(new Path(dir, SUCCESS), false);
      for (String name : staged) {
        Path target = new Path(dir, name);
        fs.delete(target, false);
        if (!fs.rename(new Path(staging, name), target)) {
          throw new IOException("rename of " + name + " into " + dir + " failed");
        }
        published.add(name);
      }
      fs.delete(staging, true);
      try (OutputStream out = fs.create(new Path(dir, SUCCESS), true)) {
        out.write(new byte[0]);
      }
      return published;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish results into " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes the staging folder of a run that failed, and the output directory if this run created
   * it and it is empty; published files, and a directory the user made, are left as they were.
   */
  public void abandon() {
    try {
      fs.delete(staging, true);
      FileStatus[] left = fs.listStatus(dir);
      if (created && left.length == 0) {
        fs.delete(dir, false);
      }
    } catch (IOException e) {
      // best effort: the staging folder's name already marks it as unfinished
    }
  }

  /** Writes an artefact's bytes. */
  @FunctionalInterface
  public interface IoBody {
    void write(OutputStream out) throws IOException;
  }
}
