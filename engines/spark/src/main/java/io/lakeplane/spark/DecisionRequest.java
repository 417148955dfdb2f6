package io.lakeplane.spark;

import java.util.List;

/**
 * What to ask about: an access to a table (columns: the columns read, whose masks to report), or an access (read,
 * write) to a storage path, Ranger's `url` resource: url is then set and the table fields are empty.
 */
public record DecisionRequest(String access, String warehouse, List<String> namespace, String table, List<String> columns, String url) {
  public DecisionRequest(String access, String warehouse, List<String> namespace, String table, List<String> columns) {
    this(access, warehouse, namespace, table, columns, null);
  }

  /** read or write of files at a storage path (scheme://authority/path), as the decide API's url resource. */
  public static DecisionRequest forUrl(String access, String url) {
    return new DecisionRequest(access, null, List.of(), null, List.of(), url);
  }

  public boolean isUrl() {
    return url != null;
  }

  /**
   * The cache key. The first field says which kind of resource it is, so that no table's name can spell the key of a
   * path (warehouse names are free text). The url is keyed as sent: the API normalizes it, so two spellings of one
   * path are two entries with the same answer, never one entry for two paths.
   */
  String key() {
    if (url != null) return "u\u0000" + access + "\u0000" + url;
    return "t\u0000" + access + "\u0000" + warehouse + "\u0000" + String.join("\u0001", namespace) + "\u0000" + table + "\u0000" + String.join("\u0001", columns);
  }

  /** warehouse.ns.table, or "files at <url>", as an error message names it. */
  public String describe() {
    if (url != null) return "files at " + url;
    return warehouse + "." + String.join(".", namespace) + "." + table;
  }
}
