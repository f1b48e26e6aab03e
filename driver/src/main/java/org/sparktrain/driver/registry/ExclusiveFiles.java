package org.sparktrain.driver.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Create-if-absent of a whole file: the primitive the registry's version numbers and alias
 * generations rest on. A reader never sees a partly written file on file:// and hdfs://; what is
 * atomic depends on the store:
 * <ul>
 *   <li>file://: the content goes to a temporary file, then a hard link to the target name
 *       ({@code link(2)} fails when the name exists): atomic and exclusive.</li>
 *   <li>hdfs://, viewfs://: temporary file, then {@code rename}, which HDFS refuses onto an existing
 *       file: atomic and exclusive.</li>
 *   <li>object stores (s3a://, gs://, others): {@code create(overwrite=false)} (exclusive only if the
 *       connector makes it so), then the file is read back and must hold this writer's token. S3A in Hadoop 3.3 checks existence and then writes, so two writers within
 *       the same instant can both pass; the read-back catches a writer that finished first, not one
 *       that finishes after. Run one writer per model at a time on S3 (a scheduler's single active run).</li>
 * </ul>
 */
final class ExclusiveFiles {
  private ExclusiveFiles() {}

  /** Writes {@code content} to {@code target} unless it exists; false when it existed (nothing written). */
  static boolean create(FileSystem fs, Path target, byte[] content) throws IOException {
    fs.mkdirs(target.getParent());
    String scheme = fs.getUri().getScheme();
    Path tmp = new Path(target.getParent(), "._tmp-" + target.getName() + "-" + UUID.randomUUID());
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      RawLocalFileSystem raw = (RawLocalFileSystem) (fs instanceof LocalFileSystem l ? l.getRaw() : fs);
      java.io.File t = raw.pathToFile(fs.makeQualified(target));
      java.io.File s = new java.io.File(t.getParentFile(), tmp.getName());
      Files.write(s.toPath(), content);
      try {
        Files.createLink(t.toPath(), s.toPath());
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(s.toPath());
      }
    }
    if ("hdfs".equals(scheme) || "viewfs".equals(scheme)) {
      try (OutputStream o = fs.create(tmp, false)) {
        o.write(content);
      }
      boolean moved = fs.rename(tmp, target);
      if (!moved) {
        fs.delete(tmp, false);
      }
      return moved;
    }
    if (fs.exists(target)) {
      return false;
    }
    byte[] token = ("\n" + UUID.randomUUID()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(content, content.length + token.length);
    System.arraycopy(token, 0, body, content.length, token.length);
    try (OutputStream o = fs.create(target, false)) {
      o.write(body);
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
    try (InputStream in = fs.open(target)) {
      return Arrays.equals(in.readAllBytes(), body);
    }
  }
}
