# Lakeplane's control policies: who may do what on the platform itself (users, tokens, warehouses, policies, jobs,
# lakehouses, SQL statements).
# Data access (who may read or change which table) is decided by the data access policies, not here.
#
# Input: {"principal": {"kind", "id", "name", "isAdmin", "groups"}, "action": "<domain>:<noun>:<verb>",
#         "resource": "<path>", "request": {<attributes of the request the rules look at>}}
# Data:  {"limits": {...}} from data.json beside this file (a bundle's data.json replaces it).
# Entrypoints: lakeplane/control/allow (boolean) and lakeplane/control/reasons (why not, as a set of strings).
package lakeplane.control

import rego.v1

default allow := false

allow if {
	count(reasons) == 0
	permitted
}

# Platform admins may do everything the limits below allow.
permitted if input.principal.isAdmin

# Everyone signed in may ask who they are.
permitted if input.action == "iam:me:read"

# Users read their own record and manage their own personal access tokens.
own_record := sprintf("iam/users/%s", [input.principal.id])

permitted if {
	input.principal.kind == "user"
	input.action == "iam:users:read"
	input.resource == own_record
}

permitted if {
	input.principal.kind == "user"
	startswith(input.action, "iam:tokens:")
	own_tokens
}

own_tokens if input.resource == sprintf("%s/tokens", [own_record])

own_tokens if startswith(input.resource, sprintf("%s/tokens/", [own_record]))

# Delegated administration (Ranger's delegateAdmin): the policies function tells whether the data access policies
# make the caller a delegated admin of every resource and access the policy names (request.delegatedAdmin).
permitted if {
	input.action in {"policies:policy:list", "policies:policy:read", "policies:policy:create", "policies:policy:update", "policies:policy:delete"}
	input.request.delegatedAdmin == true
}

# Spark jobs: everyone signed in may list jobs and runs (members see their own); members create jobs they own and
# read, change, delete, run and cancel their own. The jobs function tells the owner (request.owner).
permitted if input.action in {"jobs:job:list", "jobs:run:list"}

permitted if {
	startswith(input.action, "jobs:")
	input.request.owner == input.principal.name
}

# Lakehouses are shared SQL compute: everyone signed in may list and read them and run statements on them (what a
# statement may read or change is the data access policies' decision, made inside Spark and by the catalog); members
# create lakehouses they own and change, start, stop and delete their own. The lakehouses function tells the owner.
permitted if input.action in {"lakehouses:lakehouse:list", "lakehouses:lakehouse:read", "sql:statement:execute", "sql:statement:list"}

permitted if {
	startswith(input.action, "lakehouses:")
	input.request.owner == input.principal.name
}

# A statement is its submitter's: only they (and admins) read, page and cancel it.
permitted if {
	startswith(input.action, "sql:statement:")
	input.request.owner == input.principal.name
}

# Anyone may ask for a decision about themselves.
permitted if input.action == "policies:decisions:self"

# Trino's questions about running queries rather than data (its OPA access control asks Lakeplane's
# /v1/data/trino/...; questions about data go to the data access policies). Action "trino:<Trino's operation>";
# request.user: the user the operation acts on, where it has one (impersonation, someone's queries).
trino_operation := substring(input.action, 6, -1) if startswith(input.action, "trino:")

# Running queries, session properties, functions, system information and roles are open to everyone, as the
# standing policies of Ranger's trino service make them.
trino_open_operations := {
	"ExecuteQuery", "ReadSystemInformation", "SetSystemSessionProperty", "SetCatalogSessionProperty",
	"ExecuteFunction", "ShowFunctions", "FilterFunctions", "ShowRoles", "ShowCurrentRoles", "ShowRoleGrants",
}

permitted if trino_operation in trino_open_operations

# Users act only as themselves, and see and kill only their own queries (admins: anyone's, by the first rule).
permitted if {
	trino_operation in {"ImpersonateUser", "ViewQueryOwnedBy", "FilterViewQueryOwnedBy", "KillQueryOwnedBy"}
	input.request.user == input.principal.name
}

# Limits, for everyone including admins unless a rule says otherwise.

# A personal access token of a non-admin must expire, and not later than the limit.
reasons contains msg if {
	input.action == "iam:tokens:create"
	not input.principal.isAdmin
	not input.request.expiresInDays
	msg := sprintf("tokens of non-admins must expire: give expiresInDays (at most %d)", [data.limits.member_token_max_days])
}

reasons contains msg if {
	input.action == "iam:tokens:create"
	not input.principal.isAdmin
	input.request.expiresInDays > data.limits.member_token_max_days
	msg := sprintf("tokens of non-admins last at most %d days", [data.limits.member_token_max_days])
}

# A Spark job asks for at most so many executors.
reasons contains msg if {
	startswith(input.action, "jobs:")
	input.request.executors > data.limits.max_executors
	msg := sprintf("a job may use at most %d executors, not %d", [data.limits.max_executors, input.request.executors])
}

# A lakehouse scales to at most so many executors.
reasons contains msg if {
	startswith(input.action, "lakehouses:")
	input.request.executors > data.limits.max_executors
	msg := sprintf("a lakehouse may use at most %d executors, not %d", [data.limits.max_executors, input.request.executors])
}
