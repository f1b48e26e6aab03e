package org.sparktrain.jobs.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The files one target renders: relative path to text, in order; scripts are written executable. */
final class Rendered {
  private final Map<String, String> files = new LinkedHashMap<>();

  Rendered add(String path, String text) {
    if (files.put(path, text.endsWith("\n") ? text : text + "\n") != null) {
      throw new IllegalStateException("rendered twice: " + path);
    }
    return this;
  }

  Map<String, String> files() {
    return Collections.unmodifiableMap(files);
  }

  /** Writes every file under {@code dir} (which must not hold any of them yet). */
  void writeTo(Path dir) throws IOException {
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
      if (e.getKey().endsWith(".sh")) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }
}
