package org.sparktrain.driver.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.config.ConfigException;

class ModelRegistryTest {
  @TempDir
  Path tmp;
  private Configuration hadoop;
  private Signing keys;
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void keys() {
    hadoop = new Configuration();
    Signing.generate(tmp.resolve("keys").toString(), hadoop);
    keys = Signing.load(tmp.resolve("keys/sparktrain-signing.pem").toString(),
        tmp.resolve("keys/sparktrain-verify.pem").toString(), hadoop);
  }

  private ModelRegistry open(String uri, Signing s, ModelRegistry.Verify mode) {
    return ModelRegistry.open(uri, hadoop, s, mode, warnings::add);
  }

  private static Map<String, byte[]> files(String tag) {
    Map<String, byte[]> f = new LinkedHashMap<>();
    f.put("model.zip", ("weights of " + tag).getBytes(StandardCharsets.UTF_8));
    f.put("metrics.json", ("{\"tag\": \"" + tag + "\"}").getBytes(StandardCharsets.UTF_8));
    return f;
  }

  @Test
  void registersSignedVersionsThatVerify() {
    ModelRegistry reg = open(tmp.resolve("reg").toString(), keys, ModelRegistry.Verify.REQUIRE);
    int v1 = reg.register("fraud", files("a"), null);
    int v2 = reg.register("fraud", files("b"), v1);
    assertEquals(1, v1);
    assertEquals(2, v2);
    ModelRegistry.Verified ver = reg.verify("fraud", 2);
    assertTrue(ver.signed());
    assertEquals(1, ver.manifest().parent());
    assertArrayEquals(files("b").get("model.zip"), reg.read(ver, "model.zip"));
    assertEquals(List.of("fraud"), reg.models());
    // the key's content is in no registry file
    String key = new String(readAll(tmp.resolve("keys/sparktrain-signing.pem")), StandardCharsets.US_ASCII);
    String body = key.split("\n")[1];
    assertFalse(allText(tmp.resolve("reg")).contains(body));
  }

  @Test
  void aTamperedFileOrManifestIsRefusedNamingTheFile() throws Exception {
    ModelRegistry reg = open(tmp.resolve("reg").toString(), keys, ModelRegistry.Verify.REQUIRE);
    reg.register("m", files("a"), null);
    reg.register("m", files("b"), null);
    Path v1 = tmp.resolve("reg/m/versions/000001");
    Files.writeString(v1.resolve("model.zip"), "weights of evil");
    VerificationException e = assertThrows(VerificationException.class, () -> reg.verify("m", 1));
    assertTrue(e.getMessage().contains("000001/model.zip"), e.getMessage());
    assertTrue(e.getMessage().contains("changed after it was registered"), e.getMessage());
    // re-writing the manifest to match breaks the signature instead
    Path v2 = tmp.resolve("reg/m/versions/000002");
    Files.writeString(v2.resolve("model.zip"), "weights of evil");
    String manifest = Files.readString(v2.resolve("MANIFEST.json"));
    String sha = Manifest.sha256("weights of evil".getBytes(StandardCharsets.UTF_8));
    String old = Manifest.sha256(files("b").get("model.zip"));
    Files.writeString(v2.resolve("MANIFEST.json"), manifest.replace(old, sha).replace("\"bytes\" : 12", "\"bytes\" : 15"));
    e = assertThrows(VerificationException.class, () -> reg.verify("m", 2));
    assertTrue(e.getMessage().contains("MANIFEST.sig"), e.getMessage());
    assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
  }

  @Test
  void unsignedVersionsAreRefusedUnlessTheRegistryOnlyWarns() {
    String uri = tmp.resolve("reg").toString();
    ConfigException noKey = assertThrows(ConfigException.class,
        () -> open(uri, Signing.none(), ModelRegistry.Verify.REQUIRE).register("m", files("a"), null));
    assertTrue(noKey.getMessage().contains("registry.signing_key"), noKey.getMessage());
    ModelRegistry dev = open(uri, Signing.none(), ModelRegistry.Verify.WARN);
    int v = dev.register("m", files("a"), null);
    assertFalse(dev.verify("m", v).signed());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("unsigned")), warnings.toString());
    VerificationException e = assertThrows(VerificationException.class,
        () -> open(uri, keys, ModelRegistry.Verify.REQUIRE).verify("m", v));
    assertTrue(e.getMessage().contains("MANIFEST.sig") && e.getMessage().contains("unsigned"), e.getMessage());
    // a key that did not sign it
    Signing.generate(tmp.resolve("other").toString(), hadoop);
    Signing other = Signing.load(tmp.resolve("other/sparktrain-signing.pem").toString(),
        tmp.resolve("other/sparktrain-verify.pem").toString(), hadoop);
    int signed = open(uri, keys, ModelRegistry.Verify.REQUIRE).register("m", files("b"), null);
    assertThrows(VerificationException.class, () -> open(uri, other, ModelRegistry.Verify.REQUIRE).verify("m", signed));
  }

  @Test
  void anIncompleteVersionCannotBeAliasedAndGcKeepsAliasedAndNewest() throws Exception {
    ModelRegistry reg = open(tmp.resolve("reg").toString(), keys, ModelRegistry.Verify.REQUIRE);
    for (int i = 0; i < 5; i++) {
      reg.register("m", files("v" + i), null);
    }
    reg.move("m", "champion", 2, 0L, "test", "test");
    // a writer that died before its manifest
    Files.delete(tmp.resolve("reg/m/versions/000005/MANIFEST.json"));
    assertFalse(reg.versions("m").get(4).complete());
    VerificationException e = assertThrows(VerificationException.class, () -> reg.move("m", "challenger", 5, null,
        "x", "x"));
    assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
    assertEquals(List.of(1), reg.gc("m", 2, true));
    assertEquals(List.of(1), reg.gc("m", 2, false));
    assertEquals(List.of(2, 3, 4, 5), reg.versions("m").stream().map(ModelRegistry.VersionInfo::version).toList());
    assertThrows(VerificationException.class, () -> reg.verify("m", 1));
  }

  @Test
  void concurrentWritersGetDistinctVersionsAndOneAliasMoveWins() throws Exception {
    ModelRegistry reg = open(tmp.resolve("reg").toString(), keys, ModelRegistry.Verify.REQUIRE);
    raceOn(reg);
  }

  @Test
  void theSameGuaranteesHoldOnHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      hadoop = cluster.getFileSystem().getConf();
      ModelRegistry reg = open(cluster.getFileSystem().getUri() + "/registry", keys, ModelRegistry.Verify.REQUIRE);
      assertTrue(reg.uri().startsWith("hdfs://"), reg.uri());
      raceOn(reg);
      reg.verify("race", 1);
    } finally {
      cluster.shutdown();
    }
  }

  private void raceOn(ModelRegistry reg) throws Exception {
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> registered = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String tag = "w" + i;
        registered.add(pool.submit(() -> {
          go.await();
          return reg.register("race", files(tag), null);
        }));
      }
      go.countDown();
      List<Integer> versions = new ArrayList<>();
      for (Future<Integer> f : registered) {
        versions.add(f.get());
      }
      assertEquals(writers, versions.stream().distinct().count(), versions.toString());
      assertTrue(reg.versions("race").stream().allMatch(ModelRegistry.VersionInfo::complete));
      // every writer read generation 0 and tries to move champion: exactly one wins
      CountDownLatch go2 = new CountDownLatch(1);
      List<Future<String>> moves = new ArrayList<>();
      for (int v : versions) {
        moves.add(pool.submit(() -> {
          go2.await();
          try {
            reg.move("race", "champion", v, 0L, "race", "writer " + v);
            return "won";
          } catch (RegistryConflictException e) {
            return "conflict";
          }
        }));
      }
      go2.countDown();
      List<String> results = new ArrayList<>();
      for (Future<String> f : moves) {
        results.add(f.get());
      }
      assertEquals(1, results.stream().filter("won"::equals).count(), results.toString());
      ModelRegistry.Alias champ = reg.alias("race", "champion");
      assertEquals(1, champ.generation());
      assertTrue(versions.contains(champ.version()));
      // every version survived the race
      for (int v : versions) {
        reg.verify("race", v);
      }
      // a stale expected generation is refused
      RegistryConflictException e = assertThrows(RegistryConflictException.class,
          () -> reg.move("race", "champion", versions.get(0), 0L, "late", "late"));
      assertTrue(e.getMessage().contains("moved"), e.getMessage());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aliasesResolveAndKeepTheirHistory() {
    ModelRegistry reg = open(tmp.resolve("reg").toString(), keys, ModelRegistry.Verify.REQUIRE);
    reg.register("m", files("a"), null);
    reg.register("m", files("b"), null);
    assertNull(reg.alias("m", "champion"));
    reg.move("m", "champion", 1, 0L, "first", "t");
    reg.move("m", "champion", 2, 1L, "better", "t");
    assertEquals(2, reg.resolve("m", "champion"));
    assertEquals(1, reg.resolve("m", "v1"));
    assertEquals(List.of(1, 2), reg.aliasHistory("m", "champion").stream().map(ModelRegistry.Alias::version).toList());
    assertEquals(1, reg.alias("m", "champion").from());
    ConfigException e = assertThrows(ConfigException.class, () -> reg.resolve("m", "staging"));
    assertTrue(e.getMessage().contains("no alias 'staging'"), e.getMessage());
    assertThrows(ConfigException.class, () -> reg.register("Bad Name", files("a"), null));
  }

  private static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String allText(Path dir) {
    try (var s = Files.walk(dir)) {
      StringBuilder sb = new StringBuilder();
      s.filter(Files::isRegularFile).forEach(p -> sb.append(new String(readAll(p), StandardCharsets.ISO_8859_1)));
      return sb.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
