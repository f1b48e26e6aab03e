package org.sparktrain.driver.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.kernels.data.CorruptDataException;
import org.sparktrain.kernels.data.ExampleBlock;
import org.sparktrain.kernels.image.ImageDecoder;

/**
 * A directory tree of images on any Hadoop path: {@code root/<class name>/<file>}. Class indices
 * follow the sorted class-folder names. Files are decoded and resized on the executors, each
 * partition its balanced share; files that are not readable images are reported with path and
 * reason, and either fail the run or are skipped and counted.
 */
public final class ImageFolderSource {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFolderSource.class);

  private ImageFolderSource() {}

  /**
   * The files of a tree.
   *
   * @param root the tree's root as given
   * @param classes class names in index order
   * @param files every file, sorted by class then path
   * @param labels class index of each file
   */
  public record Listing(String root, List<String> classes, List<String> files, int[] labels) implements Serializable {}

  /** Lists {@code root}: one class per sub-directory (sorted by name), every file below it. */
  public static Listing list(String root, Configuration conf) {
    Path r = new Path(root);
    try {
      FileSystem fs = r.getFileSystem(conf);
      FileStatus[] dirs;
      try {
        dirs = fs.listStatus(r);
      } catch (FileNotFoundException e) {
        throw new CorruptDataException(root, "image folder not found", e);
      }
      List<String> classes = Arrays.stream(dirs).filter(FileStatus::isDirectory).map(s -> s.getPath().getName())
          .filter(n -> !n.startsWith(".") && !n.startsWith("_")).sorted().toList();
      if (classes.isEmpty()) {
        throw new CorruptDataException(root, "no class sub-directories (expected root/<class name>/<image files>)");
      }
      List<String> files = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (int c = 0; c < classes.size(); c++) {
        List<String> inClass = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(new Path(r, classes.get(c)), true);
        while (it.hasNext()) {
          LocatedFileStatus s = it.next();
          if (!s.getPath().getName().startsWith(".")) {
            inClass.add(s.getPath().toString());
          }
        }
        inClass.sort(null);
        files.addAll(inClass);
        for (int i = 0; i < inClass.size(); i++) {
          labels.add(c);
        }
      }
      if (files.isEmpty()) {
        throw new CorruptDataException(root, "the class folders " + classes + " hold no files");
      }
      return new Listing(root, classes, files, labels.stream().mapToInt(Integer::intValue).toArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list image folder " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * One decoded range of files.
   *
   * @param block the examples that decoded
   * @param problems "path: reason" of files that did not
   * @param sha256 the SHA-256 of every file of the range, concatenated in listing order
   * @param bytes raw bytes read
   */
  public record Decoded(ExampleBlock block, List<String> problems, byte[] sha256, long bytes) implements Serializable {}

  /** Decodes files {@code [from, to)} of a listing (on an executor, or on the driver). */
  public static Decoded decode(Listing l, int from, int to, ImageDecoder dec, Configuration conf) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    java.io.ByteArrayOutputStream digests = new java.io.ByteArrayOutputStream();
    int size = dec.size();
    byte[] features = new byte[(to - from) * size];
    byte[] labels = new byte[to - from];
    List<String> problems = new ArrayList<>();
    int n = 0;
    long total = 0;
    for (int i = from; i < to; i++) {
      String file = l.files().get(i);
      byte[] raw;
      try {
        Path p = new Path(file);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
          raw = in.readAllBytes();
        }
      } catch (IOException e) {
        problems.add(file + ": cannot read: " + e.getMessage());
        continue;
      }
      digests.writeBytes(sha.digest(raw));
      total += raw.length;
      String problem = dec.decode(raw, features, n * size);
      if (problem != null) {
        problems.add(file + ": " + problem);
        continue;
      }
      labels[n++] = (byte) l.labels()[i];
    }
    int[] shape = dec.channels() == 1 ? new int[] {dec.height(), dec.width()}
        : new int[] {dec.height(), dec.width(), dec.channels()};
    ExampleBlock block = new ExampleBlock(from, shape, Arrays.copyOf(features, n * size), Arrays.copyOf(labels, n));
    return new Decoded(block, problems, digests.toByteArray(), total);
  }

  /**
   * A loaded tree: the data plus what provenance and the run's report need.
   *
   * @param summary the tree as a data file: path = root, records = examples kept, record shape = the
   *     decoded shape, sha256 = SHA-256 of the files' SHA-256s in listing order (independent of
   *     partitioning), bytes = total size
   * @param problems files that did not decode ("path: reason")
   */
  public record Loaded(DistributedDataset distributed, ExampleBlock local, Listing listing, DataFile summary,
                       List<String> problems) {}

  /**
   * Loads a tree, decoded on the executors ({@code sc != null}) or on the driver.
   *
   * @param skipBad skip undecodable files (counted) instead of failing
   */
  public static Loaded load(JavaSparkContext sc, String root, ImageDecoder dec, int numClasses, int partitions,
                            int limit, boolean skipBad, Configuration conf) {
    return load(sc, "train", checked(root, numClasses, conf), dec, partitions, limit, skipBad, conf);
  }

  /** Lists {@code root} and checks it holds {@code numClasses} class folders. */
  static Listing checked(String root, int numClasses, Configuration conf) {
    Listing l = list(root, conf);
    if (l.classes().size() != numClasses) {
      throw new CorruptDataException(root, l.classes().size() + " class folders " + l.classes()
          + " but data.num_classes is " + numClasses);
    }
    return l;
  }

  /** The tree's data file under both roles a split's fingerprint has (images and labels). */
  static List<DataFile> files(DataFile summary) {
    return List.of(summary, new DataFile("labels", summary.configKey(), summary.path(), summary.sha256(),
        summary.storedBytes(), summary.records(), summary.recordShape()));
  }

  /** Loads a listed tree of split {@code split} ({@code train} or {@code test}, for messages). */
  static Loaded load(JavaSparkContext sc, String split, Listing l, ImageDecoder dec, int partitions, int limit,
                     boolean skipBad, Configuration conf) {
    String root = l.root();
    int numClasses = l.classes().size();
    int n = limit > 0 ? Math.min(limit, l.files().size()) : l.files().size();
    List<Decoded> parts = new ArrayList<>();
    JavaRDD<Decoded> decoded = null;
    int p = sc == null ? 1 : (partitions > 0 ? partitions : sc.defaultParallelism());
    if (sc == null) {
      parts.add(decode(l, 0, n, dec, conf));
    } else {
      List<long[]> ranges = IdxDataSource.balancedRanges(n, p);
      decoded = sc.parallelize(ranges, p).map(new DecodeRange(sc.broadcast(l), dec,
              sc.broadcast(new SerializableHadoopConf(conf))))
          .setName("images:" + root);
      decoded.persist(StorageLevel.MEMORY_ONLY());
      parts.addAll(decoded.collect());
    }
    List<String> problems = new ArrayList<>();
    MessageDigest combined;
    try {
      combined = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long bytes = 0;
    int[] counts = new int[parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      problems.addAll(parts.get(i).problems());
      combined.update(parts.get(i).sha256());
      bytes += parts.get(i).bytes();
      counts[i] = parts.get(i).block().count();
    }
    if (!problems.isEmpty()) {
      if (!skipBad) {
        if (decoded != null) {
          decoded.unpersist(false);
        }
        String first = problems.get(0);
        int colon = first.indexOf(": ");
        throw new CorruptDataException(first.substring(0, colon), first.substring(colon + 2) + " ("
            + problems.size() + " bad file(s) under " + root + "; set data.on_bad_file: skip to skip them)");
      }
      for (String pr : problems) {
        LOG.warn("skipped {}", pr);
      }
    }
    int kept = Arrays.stream(counts).sum();
    int[] shape = parts.get(0).block().shape();
    DataFile summary = new DataFile("images", "data." + split + ".folder", root,
        HexFormat.of().formatHex(combined.digest()), bytes, kept, shape);
    LOG.info("{}: {} images in {} classes, {} skipped, {} partitions", root, kept, l.classes().size(),
        problems.size(), p);
    if (sc == null) {
      return new Loaded(null, parts.get(0).block(), l, summary, problems);
    }
    JavaRDD<ExampleBlock> blocks = decoded.map(new BlockOf());
    return new Loaded(new DistributedDataset(blocks, counts, shape, files(summary)), null, l, summary, problems);
  }

  /**
   * Decodes one range on an executor. The file listing and the Hadoop configuration travel as
   * broadcasts: this function stays in the lineage of every training round's task.
   */
  static final class DecodeRange implements Function<long[], Decoded> {
    private static final long serialVersionUID = 2L;
    private final org.apache.spark.broadcast.Broadcast<Listing> listing;
    private final ImageDecoder dec;
    private final org.apache.spark.broadcast.Broadcast<SerializableHadoopConf> conf;

    DecodeRange(org.apache.spark.broadcast.Broadcast<Listing> listing, ImageDecoder dec,
                org.apache.spark.broadcast.Broadcast<SerializableHadoopConf> conf) {
      this.listing = listing;
      this.dec = dec;
      this.conf = conf;
    }

    @Override
    public Decoded call(long[] range) {
      return decode(listing.value(), (int) range[0], (int) range[1], dec, conf.value().get());
    }
  }

  /** The block of a decoded range. */
  static final class BlockOf implements Function<Decoded, ExampleBlock> {
    private static final long serialVersionUID = 1L;

    @Override
    public ExampleBlock call(Decoded d) {
      return d.block();
    }
  }

  /** An image tree as a {@link DataSource}. */
  public static final class Source implements DataSource {
    private final String split;
    private final String root;
    private final ImageDecoder decoder;
    private final int numClasses;
    private final int limit;
    private final boolean skipBad;
    private final Configuration conf;
    private Listing listing;

    /** @param split {@code train} or {@code test}: names the config key in messages */
    public Source(String split, String root, ImageDecoder decoder, int numClasses, int limit, boolean skipBad,
                  Configuration conf) {
      this.split = split;
      this.root = root;
      this.decoder = decoder;
      this.numClasses = numClasses;
      this.limit = limit;
      this.skipBad = skipBad;
      this.conf = conf;
    }

    @Override
    public DataDescription validate() {
      if (listing == null) {
        listing = checked(root, numClasses, conf);
      }
      int n = limit > 0 ? Math.min(limit, listing.files().size()) : listing.files().size();
      int[] shape = decoder.channels() == 1 ? new int[] {decoder.height(), decoder.width()}
          : new int[] {decoder.height(), decoder.width(), decoder.channels()};
      return new DataDescription(shape, org.sparktrain.kernels.data.LabelKind.CLASS, numClasses, n,
          listing.classes());
    }

    @Override
    public Split load(JavaSparkContext sc, int partitions) {
      DataDescription d = validate();
      Loaded l = ImageFolderSource.load(sc, split, listing, decoder, partitions, limit, skipBad, conf);
      DataDescription kept = new DataDescription(d.exampleShape(), d.labelKind(), d.numClasses(),
          l.summary().records(), d.classes());
      return new Split(l.distributed(), l.local(), kept, files(l.summary()), l.problems());
    }
  }
}
