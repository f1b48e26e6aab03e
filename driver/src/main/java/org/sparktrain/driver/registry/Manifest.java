package org.sparktrain.driver.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code MANIFEST.json} of a registry version: what the version holds, by SHA-256 and size, and
 * where it came from. A version is complete once its manifest exists; its signature
 * ({@code MANIFEST.sig}) covers the manifest's exact bytes, so it covers every file.
 *
 * @param format the layout version ({@value #FORMAT})
 * @param model the model name
 * @param version the version number
 * @param created ISO-8601 instant
 * @param parent the version this one was compared against / warm-started from, or null
 * @param codeVersion sparktrain version and commit that wrote it
 * @param files file name to its digest
 */
public record Manifest(@JsonProperty("format") String format, @JsonProperty("model") String model,
                       @JsonProperty("version") int version, @JsonProperty("created") String created,
                       @JsonProperty("parent") Integer parent, @JsonProperty("code_version") String codeVersion,
                       @JsonProperty("files") Map<String, Digest> files) {
  /** The layout this code writes and reads. */
  public static final String FORMAT = "sparktrain-registry/1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** A file's SHA-256 (hex) and size in bytes. */
  public record Digest(@JsonProperty("sha256") String sha256, @JsonProperty("bytes") long bytes) {
    /** The digest of {@code content}. */
    public static Digest of(byte[] content) {
      return new Digest(Manifest.sha256(content), content.length);
    }
  }

  /** The manifest of {@code files}. */
  public static Manifest of(String model, int version, Integer parent, String codeVersion, Map<String, byte[]> files) {
    Map<String, Digest> d = new TreeMap<>();
    files.forEach((name, bytes) -> d.put(name, Digest.of(bytes)));
    return new Manifest(FORMAT, model, version, java.time.Instant.now().toString(), parent, codeVersion, d);
  }

  /** The bytes that are written and signed. */
  public byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses manifest bytes; {@code where} names the file in errors. */
  public static Manifest parse(byte[] bytes, String where) {
    try {
      Manifest m = JSON.readValue(bytes, Manifest.class);
      if (!FORMAT.equals(m.format()) || m.files() == null || m.model() == null) {
        throw new VerificationException(where, "is not a sparktrain registry manifest (format " + m.format() + ")");
      }
      return m;
    } catch (IOException e) {
      throw new VerificationException(where, "is not valid JSON: " + e.getMessage());
    }
  }

  /** Hex SHA-256. */
  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The manifest as text (for {@code registry show}). */
  @Override
  public String toString() {
    return new String(toBytes(), StandardCharsets.UTF_8);
  }
}
