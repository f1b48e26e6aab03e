package org.sparktrain.driver.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void redactsUserInfoAndCredentialSettings() {
    // a '/' in a secret is %2F-encoded in a valid URI (Hadoop's S3A documents the same)
    assertEquals("data: s3a://***@bucket/events/dt=2026-12-02",
        Secrets.redact("data: s3a://AKIAEXAMPLE:wJalr%2FXUtnFEMI+K7MDENG@bucket/events/dt=2026-12-02"));
    assertEquals("gs://bucket/a/b", Secrets.redact("gs://bucket/a/b"));
    String yaml = Secrets.redact("fs.s3a.secret.key: wJalrXUtnFEMI/K7MDENG/bPxRfiCY\nfs.s3a.access.key=AKIA123\n"
        + "\"spark.hadoop.fs.s3a.session.token\": \"IQoJb3JpZ2lu\"\nregistry.signing_key: /etc/keys/sign.pem");
    assertFalse(yaml.contains("wJalr") || yaml.contains("AKIA123") || yaml.contains("IQoJ"), yaml);
    assertTrue(yaml.contains("fs.s3a.secret.key: ***") && yaml.contains("/etc/keys/sign.pem"), yaml);
    assertEquals("password: null", Secrets.redact("password: null"));
  }

  @Test
  void theShippedLogLayoutRedactsUrisAndSettings() throws Exception {
    Path props = Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve("conf/log4j2.properties");
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newInputStream(props)) {
      p.load(in);
    }
    PatternLayout layout = PatternLayout.newBuilder().withPattern(p.getProperty("appender.console.layout.pattern"))
        .build();
    String line = layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("t")
        .setLevel(org.apache.logging.log4j.Level.INFO)
        .setMessage(new SimpleMessage("reading s3a://AKIA:SE%2FCRET@bucket/p with fs.s3a.secret.key=abc123")).build());
    assertFalse(line.contains("AKIA") || line.contains("CRET") || line.contains("abc123"), line);
    assertTrue(line.contains("s3a://***@bucket/p") && line.contains("fs.s3a.secret.key=***"), line);
  }

  @Test
  void checkpointConfigsAreStoredRedactedAndStillResume() throws Exception {
    Path conf = Path.of(System.getProperty("sparktrain.repo.root", "..")).resolve("conf/fashion-mnist-table.yaml");
    org.sparktrain.driver.config.TrainConfig c;
    try (var in = Files.newInputStream(conf)) {
      c = org.sparktrain.driver.config.ConfigLoader.load(conf.toString(), in,
          java.util.List.of("data.train.path=s3a://AKIA:SEC%2FRET@bucket/events", "data.test.path=s3a://bucket/test"));
    }
    String stored = Secrets.redact(org.sparktrain.driver.config.ConfigLoader.toYaml(c));
    assertFalse(stored.contains("AKIA") || stored.contains("SEC"), stored);
    assertTrue(org.sparktrain.driver.checkpoint.ResumeCompatibility.differences(stored, c).isEmpty());
    // a real change still shows, redacted
    String other = stored.replace("s3a://***@bucket/events", "s3a://***@bucket/other");
    java.util.List<String> diff = org.sparktrain.driver.checkpoint.ResumeCompatibility.differences(other, c);
    assertEquals(1, diff.size(), diff.toString());
    assertFalse(diff.get(0).contains("AKIA"), diff.get(0));
  }
}
