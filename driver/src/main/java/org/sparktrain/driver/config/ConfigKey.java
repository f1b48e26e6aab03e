package org.sparktrain.driver.config;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One config key, declared once ({@link ConfigKeys}): its type, default, what is allowed, a
 * one-line doc, whether a resumed run may change it, and how a value is checked. Validation,
 * resume compatibility, the built-in {@code defaults.yaml} and the README's config table are
 * derived from or tested against these declarations.
 *
 * @param name dotted key, e.g. {@code training.batch_size}
 * @param type what the value is: integer, number, bool, string, path, list, enum
 * @param defaultValue the built-in default as YAML renders it ({@code null} for none)
 * @param allowed what is allowed, as users read it
 * @param doc one line on what it does
 * @param mayDifferOnResume whether a run may resume from a checkpoint written with another value
 * @param value reads the value from a bound config
 * @param check checks the value; returns the problem (without the key), or null
 */
public record ConfigKey(String name, String type, Object defaultValue, String allowed, String doc,
                        boolean mayDifferOnResume, Function<TrainConfig, Object> value,
                        Function<Object, String> check) {
  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /** Throws {@link ConfigException} naming this key when its value in {@code c} is not allowed. */
  void validate(TrainConfig c) {
    if (check == null) {
      return;
    }
    String problem = check.apply(value.apply(c));
    if (problem != null) {
      throw new ConfigException(name, problem);
    }
  }

  /** An integer in {@code [min, max]}. */
  static Function<Object, String> range(long min, long max) {
    return v -> {
      long x = ((Number) v).longValue();
      return x < min || x > max ? x + " is out of range; allowed: " + min + " to " + max : null;
    };
  }

  /** One of {@code values}, with the message the loader has always given. */
  static Function<Object, String> oneOf(List<String> values, String what) {
    return v -> v != null && values.contains(String.valueOf(v)) ? null
        : "'" + v + "' " + what + "; allowed: " + values;
  }
}
