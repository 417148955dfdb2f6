package io.lakeplane.spark;

import java.util.List;

/** What to ask about: an access to a table (columns: the columns read, whose masks to report). */
public record DecisionRequest(String access, String warehouse, List<String> namespace, String table, List<String> columns) {
  String key() {
    return access + "\u0000" + warehouse + "\u0000" + String.join("\u0001", namespace) + "\u0000" + table + "\u0000" + String.join("\u0001", columns);
  }

  /** warehouse.ns.table, as an error message names it. */
  public String describe() {
    return warehouse + "." + String.join(".", namespace) + "." + table;
  }
}
