package org.sparktrain.jobs.deploy;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.config.ConfigException;

/**
 * Five-field cron expressions ({@code minute hour day-of-month month day-of-week}): parsed with
 * cron-utils' UNIX definition, and translated to systemd's {@code OnCalendar=} for the timer.
 */
final class Cron {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final String[] DAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final Map<String, String> MONTHS = Map.ofEntries(Map.entry("JAN", "1"), Map.entry("FEB", "2"),
      Map.entry("MAR", "3"), Map.entry("APR", "4"), Map.entry("MAY", "5"), Map.entry("JUN", "6"), Map.entry("JUL", "7"),
      Map.entry("AUG", "8"), Map.entry("SEP", "9"), Map.entry("OCT", "10"), Map.entry("NOV", "11"), Map.entry("DEC", "12"));
  private static final List<String> DAY_NAMES = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private Cron() {}

  /** Throws {@link ConfigException} naming {@code key} when {@code expr} is not a five-field cron expression. */
  static void check(String key, String expr) {
    if (expr.trim().split("\\s+").length != 5) {
      throw new ConfigException(key, "'" + expr + "' must have five fields: minute hour day-of-month month day-of-week");
    }
    try {
      UNIX.parse(expr).validate();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "'" + expr + "' is not a cron expression: " + e.getMessage());
    }
  }

  /** systemd {@code OnCalendar=} for {@code expr} read in {@code zone}. */
  static String onCalendar(String key, String expr, String zone) {
    String[] f = expr.trim().split("\\s+");
    if (!f[2].equals("*") && !f[4].equals("*")) {
      throw new ConfigException(key, "'" + expr + "' restricts both day-of-month and day-of-week: cron runs on "
          + "either, systemd timers on both; restrict one of them");
    }
    String dow = f[4].equals("*") ? "" : days(key, f[4]) + " ";
    return dow + "*-" + field(key, months(f[3])) + "-" + field(key, f[2]) + " " + field(key, f[1]) + ":"
        + field(key, f[0]) + ":00 " + zone;
  }

  private static String months(String f) {
    String out = f.toUpperCase(Locale.ROOT);
    for (Map.Entry<String, String> m : MONTHS.entrySet()) {
      out = out.replace(m.getKey(), m.getValue());
    }
    return out;
  }

  /** One numeric field: {@code *}, lists, ranges ({@code a-b} becomes {@code a..b}) and steps. */
  private static String field(String key, String f) {
    if (f.equals("*")) {
      return "*";
    }
    List<String> parts = new ArrayList<>();
    for (String p : f.split(",")) {
      if (p.startsWith("*/")) {
        parts.add("0/" + p.substring(2));
      } else if (p.contains("/")) {
        String[] rs = p.split("/");
        if (rs[0].contains("-")) {
          throw new ConfigException(key, "'" + f + "': a stepped range (a-b/s) has no systemd form; list the values");
        }
        parts.add(rs[0] + "/" + rs[1]);
      } else {
        parts.add(p.replace("-", ".."));
      }
    }
    return String.join(",", parts);
  }

  private static String days(String key, String f) {
    List<String> parts = new ArrayList<>();
    for (String p : f.toUpperCase(Locale.ROOT).split(",")) {
      if (p.contains("/")) {
        throw new ConfigException(key, "'" + f + "': a stepped day-of-week has no systemd form; list the days");
      }
      String[] r = p.split("-");
      List<String> names = new ArrayList<>();
      for (String d : r) {
        names.add(day(d));
      }
      parts.add(String.join("..", names));
    }
    return String.join(",", parts);
  }

  private static String day(String d) {
    int i = DAY_NAMES.indexOf(d);
    return i >= 0 ? DAYS[i] : DAYS[Integer.parseInt(d)];
  }
}
