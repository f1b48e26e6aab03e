package org.sparktrain.driver.data;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One input a split was read from, as provenance and resume checks see it: where it is, which
 * config key named it, its content hash.
 *
 * @param role what it holds within its split ({@code images}, {@code labels}, ...)
 * @param configKey the config key that names it, for messages
 * @param path the file or folder as given
 * @param sha256 hex SHA-256 of its content (a folder: of its files' hashes in listing order)
 * @param storedBytes size as stored
 * @param records examples (or labels) it holds
 * @param recordShape shape of one record
 */
public record DataFile(String role, String configKey, String path, String sha256, long storedBytes, long records,
                       int[] recordShape) implements Serializable {
  /** The provenance entry ({@code provenance.json} {@code data.<split>_<role>}). */
  public Map<String, Object> provenance() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("sha256", sha256);
    m.put("stored_bytes", storedBytes);
    m.put("records", records);
    m.put("record_shape", recordShape);
    return m;
  }
}
