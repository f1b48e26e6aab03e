package org.sparktrain.driver.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.output.Secrets;
import org.sparktrain.driver.registry.Manifest;
import org.sparktrain.driver.registry.ModelRegistry;
import org.sparktrain.driver.registry.VerificationException;

/**
 * The frozen holdout champion and challenger are compared on: on the first night the rows at
 * {@code retrain.holdout} are copied into the registry ({@code MODEL/holdout/data/}) with
 * {@code HOLDOUT.json} (SHA-256 of every file, signed like a manifest); every later night verifies
 * the copy before using it, so "better on the holdout" always means the same rows.
 *
 * @param path the pinned copy (what is read)
 * @param sha256 digest over the files' digests (recorded in every gate.json)
 * @param source where it was copied from
 * @param files files in it
 */
public record Holdout(String path, String sha256, String source, int files) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The pinned holdout of {@code model}, pinning {@code source} first if there is none. */
  public static Holdout pinOrLoad(ModelRegistry reg, String model, String source, PrintStream out) {
    Path dir = new Path(reg.modelDir(model), "holdout");
    Path meta = new Path(dir, "HOLDOUT.json");
    byte[] existing = reg.readSigned(meta);
    if (existing == null) {
      if (source == null || source.isBlank()) {
        throw new ConfigException("retrain.holdout", "is required on the first run of " + model + " (the rows champion "
            + "and challenger are compared on; copied into the registry and frozen)");
      }
      pin(reg, dir, meta, source);
      existing = reg.readSigned(meta);
      out.println("holdout: pinned " + Secrets.redact(source) + " into " + Secrets.redact(dir.toString()));
    }
    Holdout h = verify(reg, dir, meta, existing);
    if (source != null && !source.isBlank() && !source.equals(h.source())) {
      out.println("holdout: retrain.holdout is " + Secrets.redact(source) + ", but the holdout pinned from "
          + Secrets.redact(h.source()) + " stays frozen (delete " + Secrets.redact(dir.toString())
          + " to pin another; the gate then compares on other rows)");
    }
    return h;
  }

  private static void pin(ModelRegistry reg, Path dir, Path meta, String source) {
    FileSystem fs = reg.fileSystem();
    Path src = new Path(source);
    Path data = new Path(dir, "data-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    Map<String, Object> files = new TreeMap<>();
    try {
      FileSystem sfs = src.getFileSystem(fs.getConf());
      if (!sfs.exists(src)) {
        throw new ConfigException("retrain.holdout", Secrets.redact(source) + " does not exist");
      }
      Path base = sfs.makeQualified(src);
      boolean single = sfs.getFileStatus(base).isFile();
      RemoteIterator<LocatedFileStatus> it = sfs.listFiles(base, true);
      while (it.hasNext()) {
        LocatedFileStatus f = it.next();
        String rel = single ? f.getPath().getName()
            : base.toUri().relativize(f.getPath().toUri()).getPath();
        if (rel.endsWith(".crc") || rel.startsWith(".")) {
          continue;
        }
        byte[] bytes;
        try (InputStream in = sfs.open(f.getPath())) {
          bytes = in.readAllBytes();
        }
        try (OutputStream o = fs.create(new Path(data, rel), false)) {
          o.write(bytes);
        }
        files.put(rel, new Manifest.Digest(Manifest.sha256(bytes), bytes.length));
      }
      if (files.isEmpty()) {
        throw new ConfigException("retrain.holdout", Secrets.redact(source) + " holds no files");
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("source", source);
      m.put("data", data.getName());
      m.put("single_file", single);
      m.put("pinned_at", java.time.Instant.now().toString());
      m.put("files", files);
      if (!reg.writeSigned(meta, Secrets.redact(JSON.writeValueAsString(m)).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        fs.delete(data, true); // another run pinned one first: use theirs
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pin the holdout " + Secrets.redact(source) + ": " + e.getMessage(), e);
    }
  }

  private static Holdout verify(ModelRegistry reg, Path dir, Path meta, byte[] json) {
    FileSystem fs = reg.fileSystem();
    try {
      JsonNode m = JSON.readTree(json);
      Path data = new Path(dir, m.path("data").asText());
      List<String> digests = new ArrayList<>();
      var names = m.path("files").fieldNames();
      int n = 0;
      while (names.hasNext()) {
        String rel = names.next();
        JsonNode d = m.path("files").path(rel);
        Path p = new Path(data, rel);
        byte[] bytes;
        try (InputStream in = fs.open(p)) {
          bytes = in.readAllBytes();
        } catch (java.io.FileNotFoundException e) {
          throw new VerificationException(p.toString(), "is listed in HOLDOUT.json but missing");
        }
        String sha = Manifest.sha256(bytes);
        if (!sha.equals(d.path("sha256").asText())) {
          throw new VerificationException(p.toString(), "does not match HOLDOUT.json (SHA-256 " + sha.substring(0, 16)
              + "..., recorded " + d.path("sha256").asText().substring(0, Math.min(16, d.path("sha256").asText().length()))
              + "...): the frozen holdout was changed");
        }
        digests.add(rel + ":" + sha);
        n++;
      }
      for (FileStatus s : fs.listStatus(data)) {
        if (s.isFile() && !s.getPath().getName().startsWith(".") && !m.path("files").has(s.getPath().getName())
            && !m.path("single_file").asBoolean() && s.getPath().getName().endsWith(".parquet")) {
          throw new VerificationException(s.getPath().toString(), "is not listed in HOLDOUT.json: rows were added to "
              + "the frozen holdout");
        }
      }
      String combined = Manifest.sha256(String.join("\n", digests).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String read = m.path("single_file").asBoolean() ? new Path(data, m.path("files").fieldNames().next()).toString()
          : data.toString();
      return new Holdout(read, combined, m.path("source").asText(), n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the holdout in " + Secrets.redact(dir.toString()) + ": "
          + e.getMessage(), e);
    }
  }
}
