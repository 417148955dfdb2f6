package io.lakeplane.spark;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Each Lakeplane mask type as Spark SQL over a column, of the column's own type (so a query's shape does not change):
 * the Spark equivalent of functions/policies/opa/trino-masks.ts. Strings are masked character by character and cast
 * back (a number masked with MASK reads 0); MASK_HASH is SHA-256 in upper-case hex, as Trino's to_hex shows it;
 * MASK_DATE_SHOW_YEAR truncates to the first day of the year. Complex columns (struct, array, map) have no text form
 * to mask, so every type but CUSTOM nulls them.
 */
public final class MaskExpressions {
  private MaskExpressions() {}

  public static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /** The mask's SQL, or null for a mask type this engine does not know (the caller denies the read then). */
  public static String sql(String type, String customTemplate, String column, DataType dataType) {
    String col = quote(column);
    String typeSql = dataType.sql();
    String text = "cast(" + col + " as string)";
    boolean complex = dataType instanceof StructType || dataType instanceof ArrayType || dataType instanceof MapType;
    if (complex && !"CUSTOM".equals(type)) return "cast(NULL as " + typeSql + ")";
    String masked = switch (type) {
      case "MASK" -> "regexp_replace(regexp_replace(regexp_replace(" + text + ", '[A-Z]', 'X'), '[a-z]', 'x'), '[0-9]', '0')";
      case "MASK_SHOW_LAST_4" -> "concat(regexp_replace(substr(" + text + ", 1, greatest(length(" + text + ") - 4, 0)), '.', 'X'), substr(" + text
          + ", greatest(length(" + text + ") - 3, 1)))";
      case "MASK_SHOW_FIRST_4" -> "concat(substr(" + text + ", 1, 4), regexp_replace(substr(" + text + ", 5), '.', 'X'))";
      case "MASK_HASH" -> "upper(sha2(" + text + ", 256))";
      case "MASK_NULL" -> "NULL";
      case "MASK_DATE_SHOW_YEAR" -> {
        if (dataType instanceof DateType) yield "trunc(" + col + ", 'YEAR')";
        if (dataType instanceof TimestampType || dataType instanceof TimestampNTZType) yield "date_trunc('YEAR', " + col + ")";
        yield "trunc(cast(" + col + " as date), 'YEAR')";
      }
      case "CUSTOM" -> customTemplate == null ? null : "(" + customTemplate.replace("{col}", col).replace("{type}", typeSql) + ")";
      default -> null;
    };
    return masked == null ? null : "cast(" + masked + " as " + typeSql + ")";
  }
}
