package org.sparktrain.jobs.deploy;

import static org.sparktrain.jobs.deploy.SubmitSpec.sh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster: {@code submit.sh} (bin/spark-submit with the cluster's properties
 * file, which holds {@code spark.authenticate.secret}), a systemd service + timer, a cron line
 * with {@code flock}, and an Airflow DAG with {@code SparkSubmitOperator}.
 */
final class StandaloneRenderer {
  private StandaloneRenderer() {}

  static void render(SubmitSpec spec, String source, String renderedDir, Rendered out) {
    DeployConfig c = spec.config();
    DeployConfig.Standalone s = c.standalone();
    Map<String, String> conf = spec.conf(new SubmitSpec.Platform(
        "/tmp/sparktrain-javacpp", s.home() + "/deploy/gpu/discover-gpus.sh", "spark.driverEnv."));
    List<String> signing = new ArrayList<>();
    if (s.signingKey() != null && c.job().command().equals("retrain")) {
      // systemd hands the key over as a credential ($CREDENTIALS_DIRECTORY); elsewhere the path itself
      signing.add("--set");
      signing.add(SubmitSpec.expanded("registry.signing_key=${CREDENTIALS_DIRECTORY:-" + parentDir(s.signingKey())
          + "}/" + fileName(s.signingKey())));
    }
    List<String> args = new ArrayList<>(List.of(s.home() + "/bin/spark-submit", "--master", s.master(),
        "--deploy-mode", "client", "--properties-file", s.propertiesFile(), "--name", c.name(),
        "--class", SubmitSpec.MAIN_CLASS));
    args.addAll(SubmitSpec.confArgs(conf));
    args.add(s.jar());
    List<String> app = spec.appArgs(s.config(), List.of());
    StringBuilder sb = new StringBuilder("#!/usr/bin/env bash\n")
        .append(SubmitSpec.provenance("#", c, source))
        .append("# Submits the job to ").append(s.master()).append("; extra arguments go to sparktrain (e.g. --date 2026-12-01).\n")
        .append("# The properties file carries spark.authenticate.secret (keep it mode 0600); no secret is on this line.\n")
        .append("set -euo pipefail\nexport OMP_NUM_THREADS=1 SPARK_SCALA_VERSION=2.12\n");
    List<String> words = new ArrayList<>(args);
    words.addAll(app);
    words.addAll(signing);
    out.add("standalone/submit.sh", sb.append("exec ").append(SubmitSpec.shCommand(words)).toString());
    out.add("standalone/sparktrain-" + c.name() + ".service", service(c, s, renderedDir));
    out.add("standalone/sparktrain-" + c.name() + ".timer", timer(c, source));
    out.add("standalone/crontab", crontab(c, s, source, renderedDir));
    out.add(Airflow.path(c, "standalone"),
        Airflow.sparkSubmitDag(c, source, "standalone", s.jar(), conf, app, s.master()));
  }

  private static String service(DeployConfig c, DeployConfig.Standalone s, String renderedDir) {
    StringBuilder b = new StringBuilder()
        .append("[Unit]\nDescription=sparktrain ").append(c.job().command()).append(" (").append(c.name()).append(")\n")
        .append("Wants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=oneshot\n")
        .append("User=").append(s.user()).append('\n')
        .append("WorkingDirectory=").append(s.home()).append('\n');
    if (s.signingKey() != null) {
      b.append("LoadCredential=").append(fileName(s.signingKey())).append(':').append(s.signingKey()).append('\n');
    }
    b.append("ExecStart=").append(renderedDir).append("/standalone/submit.sh\n")
        .append("# 8 gate rejected and 9 no new data end a night as designed\nSuccessExitStatus=8 9\n")
        .append("TimeoutStartSec=6h\nNoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=full\n");
    return b.toString();
  }

  private static String timer(DeployConfig c, String source) {
    return "[Unit]\nDescription=Nightly sparktrain " + c.job().command() + " (" + c.name() + "), from " + source
        + "\n\n[Timer]\nOnCalendar=" + Cron.onCalendar("schedule.cron", c.schedule().cron(), c.schedule().timeZone())
        + "\nPersistent=true\nRandomizedDelaySec=60\nUnit=sparktrain-" + c.name() + ".service\n\n[Install]\n"
        + "WantedBy=timers.target\n";
  }

  private static String crontab(DeployConfig c, DeployConfig.Standalone s, String source, String renderedDir) {
    String script = renderedDir + "/standalone/submit.sh";
    return SubmitSpec.provenance("#", c, source)
        + "# Install with: crontab -u " + s.user() + " standalone/crontab (cronie reads CRON_TZ; Debian's cron runs in the host's zone).\n"
        + "# flock -n: a night still running makes the next start exit 1 instead of running twice.\n"
        + "CRON_TZ=" + c.schedule().timeZone() + "\n"
        + c.schedule().cron() + " flock -n /tmp/sparktrain-" + c.name() + ".lock " + sh(script)
        + " >> /tmp/sparktrain-" + c.name() + ".log 2>&1; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 8 ] || [ $rc -eq 9 ]"
        + " || echo \"sparktrain " + c.name() + " failed with exit $rc (see /tmp/sparktrain-" + c.name() + ".log)\"\n";
  }

  static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static String parentDir(String path) {
    int i = path.lastIndexOf('/');
    return i <= 0 ? "." : path.substring(0, i);
  }
}
