package io.lakeplane.spark;

import java.util.List;

/** Who a Lakeplane credential belongs to, as GET /api/v1/me answers. */
public record Identity(String kind, String id, String name, boolean isAdmin, List<String> groups) {}
