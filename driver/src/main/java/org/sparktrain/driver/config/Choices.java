package org.sparktrain.driver.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The closed sets of values config keys take, as enums. YAML spells them as strings
 * ({@code dl4j-spark}, {@code reduce_lr}); {@link TrainConfig} keeps the strings it was given (so a
 * resolved config.yaml reads like the file) and offers the typed value through accessors such as
 * {@link TrainConfig#engineChoice()}. The allowed lists in {@link ConfigKeys} come from here.
 */
public final class Choices {
  private Choices() {}

  /** A value of a config choice: its YAML spelling. */
  public interface Choice {
    String configName();
  }

  /** {@code engine}. */
  public enum Engine implements Choice {
    SPARKTRAIN, DL4J_SPARK, SINGLE;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code device}. */
  public enum Device implements Choice {
    AUTO, CPU, GPU;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code data.format}. */
  public enum DataFormat implements Choice {
    IDX, FOLDER, PARQUET, CSV, ORC, JSON, TABLE;

    /** Whether Spark SQL reads it (a table or a file format with columns). */
    public boolean tabular() {
      return this != IDX && this != FOLDER;
    }

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code data.normalize}. */
  public enum Normalize implements Choice {
    STANDARD, MINMAX, NONE;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code data.on_null}. */
  public enum OnNull implements Choice {
    FAIL, DROP, IMPUTE_MEAN;

    @Override
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code data.on_bad_file}. */
  public enum OnBadFile implements Choice {
    FAIL, SKIP;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code averaging.transport}. */
  public enum Transport implements Choice {
    STREAM, JOBS;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code guard.on_divergence}. */
  public enum OnDivergence implements Choice {
    REDUCE_LR, STOP;

    @Override
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code pruning.method}. */
  public enum PruningMethod implements Choice {
    NONE, MAGNITUDE, STRUCTURED;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code pruning.schedule}. */
  public enum PruningSchedule implements Choice {
    GRADUAL, ONE_SHOT;

    @Override
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code pruning.scope}. */
  public enum PruningScope implements Choice {
    GLOBAL, LAYER;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code pruning.norm}. */
  /** {@code monitoring.progress}. */
  public enum Progress implements Choice {
    AUTO, BAR, LINES, NONE;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  public enum PruningNorm implements Choice {
    L2, L1;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code registry.verify}. */
  public enum Verify implements Choice {
    REQUIRE, WARN;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** {@code retrain.drift.action}. */
  public enum DriftAction implements Choice {
    FAIL, WARN;

    @Override
    public String configName() {
      return spell(this);
    }
  }

  /** Lower case, '_' as '-' ({@code DL4J_SPARK} -> {@code dl4j-spark}). */
  private static String spell(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The YAML spellings of {@code type}'s values, in declaration order. */
  public static <E extends Enum<E> & Choice> List<String> names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Choice::configName).toList();
  }

  /**
   * The value spelled {@code name}; a {@link ConfigException} naming {@code key} and the allowed
   * spellings otherwise (validation has normally refused it already).
   */
  public static <E extends Enum<E> & Choice> E parse(Class<E> type, String name, String key) {
    for (E e : type.getEnumConstants()) {
      if (e.configName().equals(name)) {
        return e;
      }
    }
    throw new ConfigException(key, "'" + name + "' is not allowed; allowed: " + names(type));
  }
}
