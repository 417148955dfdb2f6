package io.lakeplane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class MaskExpressionsTest {
  @Test
  void everyMaskKeepsTheColumnsType() {
    assertEquals("cast(regexp_replace(regexp_replace(regexp_replace(cast(`name` as string), '[A-Z]', 'X'), '[a-z]', 'x'), '[0-9]', '0') as STRING)",
        MaskExpressions.sql("MASK", null, "name", DataTypes.StringType));
    assertEquals("cast(upper(sha2(cast(`id` as string), 256)) as INT)", MaskExpressions.sql("MASK_HASH", null, "id", DataTypes.IntegerType));
    assertEquals("cast(NULL as DATE)", MaskExpressions.sql("MASK_NULL", null, "d", DataTypes.DateType));
    assertEquals("cast(trunc(`d`, 'YEAR') as DATE)", MaskExpressions.sql("MASK_DATE_SHOW_YEAR", null, "d", DataTypes.DateType));
    assertEquals("cast(date_trunc('YEAR', `t`) as TIMESTAMP)", MaskExpressions.sql("MASK_DATE_SHOW_YEAR", null, "t", DataTypes.TimestampType));
    assertEquals("cast((lower(`we``ird`)) as STRING)", MaskExpressions.sql("CUSTOM", "lower({col})", "we`ird", DataTypes.StringType));
    assertEquals("cast(NULL as ARRAY<STRING>)", MaskExpressions.sql("MASK", null, "tags", DataTypes.createArrayType(DataTypes.StringType)));
  }

  @Test
  void anUnknownMaskTypeHasNoExpression() {
    assertNull(MaskExpressions.sql("MASK_SOMETHING_NEW", null, "name", DataTypes.StringType));
    assertNull(MaskExpressions.sql("CUSTOM", null, "name", DataTypes.StringType));
  }
}
