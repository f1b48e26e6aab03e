package org.sparktrain.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.report.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sparktrain report}: one self-contained HTML page of a run (or runs compared), or of a bench. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write one self-contained HTML report (charts inlined, no network needed to view it) of a run "
        + "directory, of several runs compared (--compare), or of a bench output directory.")
final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A train output directory, or a bench output "
      + "directory (holding bench.json); any Hadoop path.")
  String dir;

  @Option(names = "--compare", paramLabel = "RUN_DIR", split = ",",
      description = "More run directories drawn over the first (champion vs challenger, engines).")
  List<String> compare = new ArrayList<>();

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "The HTML file to write.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing report file.")
  boolean overwrite;

  @Override
  public Integer call() {
    Configuration hadoop = new Configuration();
    String html;
    if (HtmlReport.isBench(dir, hadoop)) {
      if (!compare.isEmpty()) {
        throw new ConfigException("--compare", "compares run directories; " + dir + " is a bench (its report already "
            + "compares the engines)");
      }
      html = HtmlReport.bench(HtmlReport.readBench(dir, hadoop), new org.apache.hadoop.fs.Path(dir).getName());
    } else {
      List<HtmlReport.Run> runs = new ArrayList<>();
      runs.add(HtmlReport.readRun(dir, hadoop));
      for (String c : compare) {
        runs.add(HtmlReport.readRun(c, hadoop));
      }
      html = HtmlReport.runs(runs);
    }
    HtmlReport.write(html, output, overwrite, hadoop);
    System.out.println("wrote " + output);
    return ExitCodes.OK;
  }
}
