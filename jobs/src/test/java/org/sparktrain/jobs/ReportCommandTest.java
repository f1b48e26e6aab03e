package org.sparktrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.report.HtmlReport;

/**
 * {@code report}: the HTML of real runs (one, and two compared) and of a real bench, opened in
 * headless Chromium: every chart drew, no script error, a screenshot shows it (the one in docs/ comes
 * from here, {@code -Dsparktrain.docs.screenshots=true}). The page's own check is shown to catch a
 * chart without data and a script error. Bad inputs fail naming the file, without writing.
 */
class ReportCommandTest {
  @TempDir
  static Path tmp;
  private static Path runA;
  private static Path runB;
  private static Path benchDir;

  private static final String[] SMALL = {"--set", "data.limit.train=6000", "--set", "data.limit.test=1000",
      "--set", "training.epochs=2", "--master", "local[2]"};

  private static Cli.Result train(Path out, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("train", "--config", Cli.conf("fashion-mnist-mlp.yaml"),
        "--output", out.toString()));
    args.addAll(List.of(SMALL));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @BeforeAll
  static void trainTwo() {
    runA = tmp.resolve("champion");
    runB = tmp.resolve("challenger");
    Cli.Result a = train(runA, "--set", "checkpoint.every_rounds=15");
    assertEquals(0, a.code(), a.err());
    Cli.Result b = train(runB, "--set", "averaging.frequency=20", "--set", "checkpoint.every_rounds=0");
    assertEquals(0, b.code(), b.err());
    benchDir = tmp.resolve("bench");
    Cli.Result r = Cli.run("bench", "--config", Cli.conf("fashion-mnist-mlp.yaml"), "--output", benchDir.toString(),
        "--repeat", "1", "--engines", "single,sparktrain", "--pytorch", "off", "--master", "local[2]",
        "--set", "data.limit.train=3000", "--set", "data.limit.test=500", "--set", "training.epochs=1");
    assertEquals(0, r.code(), r.err());
  }

  private static Path docsShot(String name, Path fallback) {
    return Boolean.getBoolean("sparktrain.docs.screenshots")
        ? Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve("docs").resolve(name) : fallback;
  }

  private static void assertMostlyDrawn(Path png) throws Exception {
    BufferedImage img = ImageIO.read(png.toFile());
    long coloured = 0;
    for (int y = 0; y < img.getHeight(); y += 4) {
      for (int x = 0; x < img.getWidth(); x += 4) {
        int rgb = img.getRGB(x, y);
        int r = rgb >> 16 & 255;
        int g = rgb >> 8 & 255;
        int b = rgb & 255;
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
          coloured++; // chart colours, not the page's greys and white
        }
      }
    }
    assertTrue(coloured > 2000, png + ": only " + coloured + " coloured sample pixels");
  }

  @Test
  void aComparedRunReportRendersEveryChartInChromium() throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "skipped: no " + Chromium.BINARY + "; apt-get install chromium "
        + "(bin/ensure-deps does)");
    Path html = tmp.resolve("report.html");
    Cli.Result r = Cli.run("report", runA.toString(), "--compare", runB.toString(), "--output", html.toString());
    assertEquals(0, r.code(), r.err());
    String page = Files.readString(html);
    assertFalse(page.contains("<script src") || page.contains("<link "), "self-contained: nothing loaded at view time");
    Chromium.Verdict v = Chromium.render(html);
    assertTrue(v.ready(), v.toString());
    assertEquals(10, v.charts(), v.toString());
    assertEquals("", v.blank(), v.toString());
    assertEquals("", v.errors(), v.toString());
    assertEquals(List.of(), v.console());
    Path png = docsShot("report-train.png", tmp.resolve("report-train.png"));
    Chromium.screenshot(html, png, 1400, 2600);
    assertMostlyDrawn(png);
    // a single run renders too, and the checkpoints became events
    JsonNode metrics = new ObjectMapper().readTree(runA.resolve("metrics.json").toFile());
    assertTrue(metrics.get("events").toString().contains("checkpoint"), metrics.get("events").toString());
    Path one = tmp.resolve("one.html");
    assertEquals(0, Cli.run("report", runA.toString(), "--output", one.toString()).code());
    Chromium.Verdict single = Chromium.render(one);
    assertTrue(single.ready() && single.blank().isEmpty() && single.errors().isEmpty(), single.toString());
  }

  @Test
  void theBenchWritesAReportThatRenders() throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "skipped: no " + Chromium.BINARY + "; apt-get install chromium");
    Path out = benchDir;
    Path html = out.resolve("report.html");
    Chromium.Verdict v = Chromium.render(html);
    assertTrue(v.ready() && v.charts() == 3 && v.blank().isEmpty() && v.errors().isEmpty(), v.toString());
    Path png = docsShot("report-bench.png", tmp.resolve("report-bench.png"));
    Chromium.screenshot(html, png, 1400, 1300);
    assertMostlyDrawn(png);
    // the report command reads a bench directory too
    Path again = tmp.resolve("bench-again.html");
    assertEquals(0, Cli.run("report", out.toString(), "--output", again.toString()).code());
  }

  @Test
  void thePagesOwnCheckCatchesAnEmptyChartAndAScriptError() throws Exception {
    Assumptions.assumeTrue(Chromium.installed(), "skipped: no " + Chromium.BINARY + "; apt-get install chromium");
    ObjectMapper json = new ObjectMapper();
    HtmlReport.Run real = HtmlReport.readRun(runA.toString(), new org.apache.hadoop.conf.Configuration());
    ObjectNode noRounds = real.metrics().deepCopy();
    noRounds.putArray("rounds");
    Path empty = tmp.resolve("empty.html");
    Files.writeString(empty, HtmlReport.runs(List.of(new HtmlReport.Run("empty", noRounds, real.evaluation(), null,
        null))));
    Chromium.Verdict v = Chromium.render(empty);
    assertTrue(v.ready() && v.blank().contains("Training loss per round (0 points"), v.toString());
    ObjectNode broken = real.metrics().deepCopy();
    broken.put("rounds", "not a list");
    Path bad = tmp.resolve("bad.html");
    Files.writeString(bad, HtmlReport.runs(List.of(new HtmlReport.Run("bad", broken, null, null, null))));
    Chromium.Verdict w = Chromium.render(bad);
    assertTrue(w.ready() && w.errors().contains("report: TypeError"), w.toString());
    assertTrue(json != null);
  }

  /** Runs a notebook of notebooks/ with nbconvert on this class's outputs; the executed copy goes to tmp. */
  private static void execute(String notebook, String envName, Path dir) throws Exception {
    Path root = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize();
    Path out = tmp.resolve("executed");
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/jupyter-nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=300", "--output-dir", out.toString(),
        root.resolve("notebooks").resolve(notebook).toString()).redirectErrorStream(true);
    pb.environment().put(envName, dir.toString());
    // Debian's kernel and libraries, not a python3 earlier on PATH
    pb.environment().put("PATH", "/usr/bin:/bin:" + pb.environment().getOrDefault("PATH", ""));
    Process p = pb.start();
    String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), notebook + " failed:\n" + said);
    String executed = Files.readString(out.resolve(notebook));
    assertFalse(executed.contains("\"output_type\": \"error\""), executed);
    assertTrue(executed.contains("\"image/png\""), notebook + " drew no figure");
  }

  @Test
  void theNotebooksExecuteOnARunAndABench() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/jupyter-nbconvert")), "skipped: no jupyter-nbconvert; "
        + "apt-get install jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pandas (bin/ensure-deps does)");
    execute("training-run.ipynb", "SPARKTRAIN_RUN_DIR", runA);
    execute("bench.ipynb", "SPARKTRAIN_BENCH_DIR", benchDir);
  }

  @Test
  void badInputsFailNamingTheFileAndWriteNothing() throws Exception {
    Path html = tmp.resolve("never.html");
    Cli.Result missing = Cli.run("report", tmp.resolve("nothing-here").toString(), "--output", html.toString());
    assertEquals(ExitCodes.BAD_DATA, missing.code(), missing.err());
    assertTrue(missing.err().contains("nothing-here/metrics.json") && missing.err().contains("does not exist"),
        missing.err());
    Path junk = tmp.resolve("junk");
    Files.createDirectories(junk);
    Files.writeString(junk.resolve("metrics.json"), "{\"rounds\": [1, 2");
    Cli.Result corrupt = Cli.run("report", junk.toString(), "--output", html.toString());
    assertEquals(ExitCodes.BAD_DATA, corrupt.code());
    assertTrue(corrupt.err().contains("junk/metrics.json") && corrupt.err().contains("not valid JSON"), corrupt.err());
    assertFalse(Files.exists(html));
    Path existing = tmp.resolve("existing.html");
    Files.writeString(existing, "keep me");
    Cli.Result exists = Cli.run("report", runA.toString(), "--output", existing.toString());
    assertEquals(ExitCodes.OUTPUT_EXISTS, exists.code(), exists.err());
    assertEquals("keep me", Files.readString(existing));
    assertEquals(1, exists.err().strip().lines().count(), exists.err());
  }
}
