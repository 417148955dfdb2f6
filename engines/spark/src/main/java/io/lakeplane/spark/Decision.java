package io.lakeplane.spark;

import java.util.List;

/** One answer of POST /api/v1/policies/decide/batch, the parts the engine uses. */
public record Decision(boolean allowed, String policyName, long policySetVersion, List<Mask> masks, String rowFilter) {
  /** A column mask: one of Lakeplane's mask types; CUSTOM carries an expression with {col}. */
  public record Mask(String column, String type, String expression) {}

  public boolean unrestricted() {
    return allowed && masks.isEmpty() && rowFilter == null;
  }
}
