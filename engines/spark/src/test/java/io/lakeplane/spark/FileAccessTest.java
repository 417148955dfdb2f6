package io.lakeplane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** How the engine names a path to the decide API, and how url requests are asked and cached. */
class FileAccessTest {
  private static final URI LOCAL = URI.create("file:///");
  private static final URI HDFS = URI.create("hdfs://nn:8020");

  @Test
  void hadoopPathsBecomeAbsoluteUrls() {
    // Hadoop spells local paths file:/x; the decide API takes scheme://authority/path.
    assertEquals("file:///tmp/lake/dir", FileAccess.url(new Path("file:/tmp/lake/dir"), LOCAL));
    assertEquals("file:///tmp/lake/dir", FileAccess.url(new Path("file:///tmp/lake/dir"), LOCAL));
    assertEquals("s3a://bucket/dir/part-0.parquet", FileAccess.url(new Path("s3a://bucket/dir/part-0.parquet"), LOCAL));
    assertEquals("s3://bucket", FileAccess.url(new Path("s3://bucket"), LOCAL));
    // No scheme: qualified against the default file system, as Spark does.
    assertEquals("hdfs://nn:8020/data/x", FileAccess.url(new Path("/data/x"), HDFS));
    assertEquals("file:///data/x", FileAccess.url(new Path("/data/x"), LOCAL));
    // Relative: the working directory is not ours to guess.
    assertNull(FileAccess.url(new Path("data/x"), LOCAL));
  }

  @Test
  void pathsStayPercentEncodedForTheApiToDecode() {
    // A blank or a literal % is sent encoded, so the API's decoding gives back the same path (never a different one).
    assertEquals("file:///tmp/a%20b/c%25d", FileAccess.url(new Path("/tmp/a b/c%d"), LOCAL));
    // Dot segments are left to the API, which resolves them before matching.
    assertEquals("s3://b/allowed/../secret", FileAccess.url(URI.create("s3://b/allowed/../secret"), LOCAL));
  }

  @Test
  void aDirectoryWriteUrlFromALocationUri() {
    assertEquals("file:///out/dir", FileAccess.url(URI.create("/out/dir"), LOCAL));
    assertEquals("s3://b/out", FileAccess.url(URI.create("s3://b/out"), HDFS));
  }

  @Test
  void urlRequestsAreAskedAsUrlResources() throws Exception {
    DecisionRequest read = DecisionRequest.forUrl("read", "s3://b/dir");
    DecisionRequest table = new DecisionRequest("select", "wh", List.of("sales"), "t", List.of("a"));
    String body = new ObjectMapper().writeValueAsString(DecisionClient.body(List.of(read, table)));
    assertEquals("{\"requests\":[{\"access\":\"read\",\"resource\":{\"url\":\"s3://b/dir\"}},"
        + "{\"access\":\"select\",\"resource\":{\"warehouse\":\"wh\",\"namespace\":[\"sales\"],\"table\":\"t\",\"columns\":[\"a\"]}}]}", body);
    assertEquals("files at s3://b/dir", read.describe());
  }

  @Test
  void urlDecisionsAreCachedByAccessAndPath() {
    DecisionCache cache = new DecisionCache();
    Decision allow = new Decision(true, "lake readers", 5, List.of(), null);
    DecisionRequest read = DecisionRequest.forUrl("read", "s3://b/dir");
    cache.put(read, allow);
    assertSame(allow, cache.get(DecisionRequest.forUrl("read", "s3://b/dir"), 60_000));
    // A read answer is no write answer, and one path's is no other's.
    assertNull(cache.get(DecisionRequest.forUrl("write", "s3://b/dir"), 60_000));
    assertNull(cache.get(DecisionRequest.forUrl("read", "s3://b/dir2"), 60_000));
  }

  @Test
  void noTableKeySpellsAPathKey() {
    // A warehouse may be named anything; the key's kind field keeps a table request from hitting a path's entry.
    DecisionRequest path = DecisionRequest.forUrl("read", "x");
    DecisionRequest table = new DecisionRequest("read", "url", List.of(), "x", List.of());
    assertNotEquals(path.key(), table.key());
    DecisionRequest tricky = new DecisionRequest("read", "u\u0000read\u0000x", List.of(), null, List.of());
    assertNotEquals(path.key(), tricky.key());
  }
}
