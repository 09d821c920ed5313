"""Runs, through SQLAlchemy 1.4 and pymysql, what Apache Superset sends
when a MySQL database is added and a table explored, against a zkgw
gateway. Prints one JSON object: per query, its rows or its error.
The Go test (superset_test.go) starts the gateway and checks the output.

Usage: ZKGW_URL=mysql+pymysql://user:pw@127.0.0.1:port/zookeeper python3 superset.py
"""
import json
import os
import sys

import sqlalchemy
from sqlalchemy import create_engine, inspect, text

# Superset's MySQL time grain expressions (superset/db_engine_specs/mysql.py).
GRAINS = {
    "PT1S": "DATE_ADD(DATE({col}), INTERVAL (HOUR({col})*60*60 + MINUTE({col})*60 + SECOND({col})) SECOND)",
    "PT1M": "DATE_ADD(DATE({col}), INTERVAL (HOUR({col})*60 + MINUTE({col})) MINUTE)",
    "PT1H": "DATE_ADD(DATE({col}), INTERVAL HOUR({col}) HOUR)",
    "P1D": "DATE({col})",
    "P1W": "DATE(DATE_SUB({col}, INTERVAL DAYOFWEEK({col}) - 1 DAY))",
    "P1M": "DATE(DATE_SUB({col}, INTERVAL DAYOFMONTH({col}) - 1 DAY))",
    "P3M": "MAKEDATE(YEAR({col}), 1) + INTERVAL QUARTER({col}) QUARTER - INTERVAL 1 QUARTER",
    "P1Y": "DATE(DATE_SUB({col}, INTERVAL DAYOFYEAR({col}) - 1 DAY))",
    "1969-12-29T00:00:00Z/P1W": "DATE(DATE_SUB({col}, INTERVAL DAYOFWEEK(DATE_SUB({col}, INTERVAL 1 DAY)) - 1 DAY))",
}

QUERIES = {
    # Connection test and the probes Superset and SQLAlchemy's MySQL
    # dialect make on connect.
    "select_1": "SELECT 1",
    "version": "SELECT VERSION()",
    "version_var": "SELECT @@version",
    "version_comment": "SHOW VARIABLES LIKE 'version_comment'",
    "sql_mode": "SHOW VARIABLES LIKE 'sql_mode'",
    "lower_case_table_names": "SHOW VARIABLES LIKE 'lower_case_table_names'",
    "isolation": "SELECT @@transaction_isolation",
    "max_allowed_packet": "SELECT @@max_allowed_packet",
    "collation": "SHOW COLLATION WHERE `Charset` = 'utf8mb4' AND `Collation` = 'utf8mb4_bin'",
    "database": "SELECT DATABASE()",
    # Adding a database: schemas and tables.
    "show_schemas": "SHOW schemas",
    "show_full_tables": "SHOW FULL TABLES FROM `zookeeper`",
    "show_views": "SHOW FULL TABLES FROM `zookeeper` WHERE Table_type = 'VIEW'",
    # Exploring a table: columns, keys, indexes.
    "show_create": "SHOW CREATE TABLE `zookeeper`.`znodes`",
    "columns": "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS "
               "WHERE TABLE_SCHEMA = 'zookeeper' AND TABLE_NAME = 'znodes' ORDER BY ORDINAL_POSITION",
    "show_columns": "SHOW FULL COLUMNS FROM `znodes` FROM `zookeeper`",
    "key_usage": "SELECT CONSTRAINT_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                 "WHERE TABLE_SCHEMA = 'zookeeper' AND TABLE_NAME = 'znodes'",
    "statistics": "SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS "
                  "WHERE TABLE_SCHEMA = 'zookeeper' AND TABLE_NAME = 'znodes' ORDER BY INDEX_NAME",
    "show_index": "SHOW INDEX FROM `znodes` FROM `zookeeper`",
    "table_comment": "SELECT TABLE_COMMENT FROM information_schema.TABLES "
                     "WHERE TABLE_SCHEMA = 'zookeeper' AND TABLE_NAME = 'znodes'",
    # The preview of a table and a chart's query.
    "preview": "SELECT `path` AS `path`, `data_text` AS `data_text`, `ctime` AS `ctime` "
               "FROM `zookeeper`.`znodes` LIMIT 100",
    "explain": "EXPLAIN SELECT * FROM `zookeeper`.`znodes` WHERE `parent` = '/app'",
    # A primary-key point lookup and an aggregate: go-mysql-server plans
    # both as "at most one row", which broke their EXPLAIN.
    "explain_pk": "EXPLAIN SELECT * FROM `zookeeper`.`znodes` WHERE `path` = '/app'",
    "explain_count": "EXPLAIN SELECT COUNT(*) FROM `zookeeper`.`znodes` WHERE `parent` = '/app'",
    "point_lookup": "SELECT path, data_text FROM `zookeeper`.`znodes` WHERE `path` = '/app/config/timeout_ms'",
    "like_unicode": "SELECT path FROM znodes WHERE path LIKE '/i18n/%' ORDER BY path",
    "group_parent": "SELECT parent AS parent, COUNT(*) AS count FROM `zookeeper`.`znodes` "
                    "WHERE parent LIKE '/app%' GROUP BY parent ORDER BY count DESC LIMIT 100",
    # The ensemble as a dataset: the servers system table.
    "servers": "SELECT host, port, role, reachable, version, znode_count FROM `zookeeper`.`servers` ORDER BY port",
    "servers_by_role": "SELECT role AS role, COUNT(*) AS count FROM `zookeeper`.`servers` GROUP BY role ORDER BY count DESC LIMIT 100",
    "virtual_dataset": "SELECT parent, COUNT(*) AS count FROM (SELECT * FROM znodes WHERE path LIKE '/app/%') AS virtual_table "
                       "GROUP BY parent ORDER BY count DESC LIMIT 10000",
}
for grain, expr in GRAINS.items():
    e = expr.format(col="`ctime`")
    QUERIES["grain_" + grain] = (
        f"SELECT {e} AS `__timestamp`, COUNT(*) AS `count` FROM `zookeeper`.`znodes` "
        f"WHERE `ctime` >= '1970-01-01 00:00:00' AND `ctime` < '9999-01-01 00:00:00' "
        f"GROUP BY {e} ORDER BY `count` DESC LIMIT 10000")


def jsonable(v):
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, (int, float, str)) or v is None:
        return v
    return str(v)


def main():
    out = {"sqlalchemy": sqlalchemy.__version__, "queries": {}, "inspect": {}, "dialect": {}}
    engine = create_engine(os.environ["ZKGW_URL"], pool_pre_ping=True)
    # What the MySQL dialect made of the server when it initialised on the
    # first connect (from the handshake's version string).
    with engine.connect() as conn:
        d = engine.dialect
        out["dialect"] = {
            "server_version_info": [jsonable(v) for v in d.server_version_info],
            "is_mariadb": bool(d.is_mariadb),
            "server_info": conn.connection.get_server_info(),
        }
    try:
        insp = inspect(engine)
        out["inspect"]["schemas"] = insp.get_schema_names()
        out["inspect"]["tables"] = insp.get_table_names()
        out["inspect"]["views"] = insp.get_view_names()
        out["inspect"]["columns"] = {
            t: [[c["name"], str(c["type"])] for c in insp.get_columns(t)] for t in out["inspect"]["tables"]}
        out["inspect"]["pk"] = insp.get_pk_constraint("znodes")["constrained_columns"]
        out["inspect"]["indexes"] = [[i["name"], i["column_names"]] for i in insp.get_indexes("znodes")]
    except Exception as e:  # reported, and the Go test fails on it
        out["inspect"]["error"] = f"{type(e).__name__}: {e}"
    with engine.connect() as conn:
        for name, q in QUERIES.items():
            try:
                rows = conn.execute(text(q)).fetchall()
                out["queries"][name] = {"rows": [[jsonable(v) for v in r] for r in rows]}
            except Exception as e:
                out["queries"][name] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
