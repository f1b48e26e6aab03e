package org.sparktrain.driver.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.sparktrain.driver.config.ConfigException;

/**
 * Ed25519 signatures over registry manifests, with the JDK's own {@code EdDSA} provider. Keys are
 * PEM files (PKCS#8 private, X.509 public) at paths from config or environment; their content is
 * never logged, copied into the registry or written into any artefact, only the public key's id.
 */
public final class Signing {
  /** Environment variable naming the private key file (overrides {@code registry.signing_key}). */
  public static final String SIGNING_KEY_ENV = "SPARKTRAIN_SIGNING_KEY";
  /** Environment variable naming the public key file (overrides {@code registry.verify_key}). */
  public static final String VERIFY_KEY_ENV = "SPARKTRAIN_VERIFY_KEY";
  /**
   * Environment variable holding the private key's PEM text itself, for platforms that inject secrets
   * into the environment (EMR Serverless {@code EMR.secret@NAME}, Kubernetes {@code secretKeyRef});
   * wins over {@link #SIGNING_KEY_ENV} and {@code registry.signing_key}.
   */
  public static final String SIGNING_KEY_PEM_ENV = "SPARKTRAIN_SIGNING_KEY_PEM";
  private static final String ALG = "Ed25519";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  private Signing(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** No keys: nothing can be signed or verified (a development registry with {@code registry.verify: warn}). */
  public static Signing none() {
    return new Signing(null, null);
  }

  /**
   * The keys at {@code signingKey} / {@code verifyKey} (either may be null), each overridden by its
   * environment variable; a key file that cannot be read is an error naming the config key.
   */
  public static Signing load(String signingKey, String verifyKey, Configuration hadoop) {
    String sk = firstSet(System.getenv(SIGNING_KEY_ENV), signingKey);
    String vk = firstSet(System.getenv(VERIFY_KEY_ENV), verifyKey);
    String pem = System.getenv(SIGNING_KEY_PEM_ENV);
    PrivateKey priv = pem != null && !pem.isBlank() ? privateFromPem(pem, "$" + SIGNING_KEY_PEM_ENV)
        : sk == null ? null : readPrivate(sk, hadoop);
    PublicKey pub = vk == null ? null : readPublic(vk, hadoop);
    return new Signing(priv, pub);
  }

  private static String firstSet(String a, String b) {
    return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
  }

  /** True when versions can be signed. */
  public boolean canSign() {
    return privateKey != null;
  }

  /** True when signatures can be checked. */
  public boolean canVerify() {
    return publicKey != null;
  }

  /** Signs {@code data}: the Base64 signature. */
  public String sign(byte[] data) {
    if (privateKey == null) {
      throw new IllegalStateException("no signing key");
    }
    try {
      Signature s = Signature.getInstance(ALG);
      s.initSign(privateKey);
      s.update(data);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when {@code signature} (Base64) is this public key's signature over {@code data}. */
  public boolean verify(byte[] data, String signature) {
    if (publicKey == null) {
      throw new IllegalStateException("no verify key");
    }
    try {
      Signature s = Signature.getInstance(ALG);
      s.initVerify(publicKey);
      s.update(data);
      return s.verify(Base64.getDecoder().decode(signature.trim()));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }

  /** The id of the verify key (first 16 hex digits of the SHA-256 of its encoding), or null. */
  public String verifyKeyId() {
    return publicKey == null ? null : keyId(publicKey);
  }

  static String keyId(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a new key pair: {@code dir/sparktrain-signing.pem} (private, owner-only permissions)
   * and {@code dir/sparktrain-verify.pem}; refuses to replace existing files.
   *
   * @return the public key's id
   */
  public static String generate(String dir, Configuration hadoop) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance(ALG).generateKeyPair();
      Path priv = new Path(dir, "sparktrain-signing.pem");
      Path pub = new Path(dir, "sparktrain-verify.pem");
      FileSystem fs = priv.getFileSystem(hadoop);
      for (Path p : new Path[] {priv, pub}) {
        if (fs.exists(p)) {
          throw new org.sparktrain.driver.output.OutputExistsException(p + " exists; keys are never replaced (move it "
              + "away first)");
        }
      }
      fs.mkdirs(new Path(dir));
      try (OutputStream o = fs.create(priv, false)) {
        o.write(pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      }
      fs.setPermission(priv, new FsPermission((short) 0600));
      try (OutputStream o = fs.create(pub, false)) {
        o.write(pem("PUBLIC KEY", pair.getPublic().getEncoded()));
      }
      return keyId(pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write keys into " + dir + ": " + e.getMessage(), e);
    }
  }

  private static byte[] pem(String type, byte[] der) {
    return ("-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static PrivateKey readPrivate(String path, Configuration hadoop) {
    return privateFromPem(read(path, "registry.signing_key", hadoop), path);
  }

  private static PrivateKey privateFromPem(String text, String path) {
    byte[] der = der(text, path, "PRIVATE KEY", "registry.signing_key");
    try {
      return KeyFactory.getInstance(ALG).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new ConfigException("registry.signing_key", path + " is not an Ed25519 private key (PKCS#8 PEM, as "
          + "'sparktrain registry keygen' writes)");
    }
  }

  private static PublicKey readPublic(String path, Configuration hadoop) {
    byte[] der = der(read(path, "registry.verify_key", hadoop), path, "PUBLIC KEY", "registry.verify_key");
    try {
      return KeyFactory.getInstance(ALG).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new ConfigException("registry.verify_key", path + " is not an Ed25519 public key (X.509 PEM, as "
          + "'sparktrain registry keygen' writes)");
    }
  }

  private static String read(String path, String key, Configuration hadoop) {
    try {
      Path p = new Path(path);
      try (InputStream in = p.getFileSystem(hadoop).open(p)) {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      }
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read key file " + path + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] der(String text, String path, String type, String key) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new ConfigException(key, path + " holds no '" + begin + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new ConfigException(key, path + ": the " + type + " block is not Base64");
    }
  }
}
