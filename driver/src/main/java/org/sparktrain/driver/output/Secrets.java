package org.sparktrain.driver.output;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redaction of credentials in text sparktrain writes or prints: user info in URIs
 * ({@code s3a://KEY:SECRET@bucket/...} becomes {@code s3a://***@bucket/...}) and the values of
 * Hadoop/Spark credential settings ({@code fs.s3a.secret.key=...}, {@code "fs.s3a.access.key": "..."},
 * tokens, passwords). Applied to every artefact a run writes (config copies, provenance, metrics,
 * registry files), to the CLI's output and (by the log4j2 configuration's {@code %replace}) to log lines.
 */
public final class Secrets {
  private Secrets() {}

  /** {@code scheme://user[:password]@}: the user info of a hierarchical URI. */
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s\"']+@");
  /** A credential setting followed by '=' or ':' (optionally quoted) and its value. */
  private static final Pattern SETTING = Pattern.compile(
      "((?:[A-Za-z0-9_.-]*(?:secret|password|passwd|token|credential|access[._-]?key|private[._-]?key)"
          + "[A-Za-z0-9_.-]*)[\"']?\\s*[=:]\\s*[\"']?)([^\\s\"',}]+)", Pattern.CASE_INSENSITIVE);

  /** The regular expression log4j2's {@code %replace} uses for URIs (kept in step with {@link #redact}). */
  public static final String LOG_PATTERN = USER_INFO.pattern();

  /** {@code text} with credentials replaced by {@code ***}. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String s = USER_INFO.matcher(text).replaceAll("$1***@");
    Matcher m = SETTING.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = m.group(2);
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + (value.equals("null") ? value : "***")));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
