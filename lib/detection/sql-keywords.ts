/**
 * SQL vocabulary, grouped by the role a word plays in an injected query. The lists come
 * from the SQL grammars of MySQL, PostgreSQL, MSSQL, Oracle and SQLite, not from payloads.
 */

/** Roles of a keyword (values of {@link SQL_KEYWORDS}). */
export const KW_LOGIC = 1; // or and xor
export const KW_CMP = 2; // like rlike regexp glob is-not? sounds between in match
export const KW_ARITH = 3; // div mod
export const KW_LITERAL = 4; // null true false unknown
export const KW_NOT = 5;
export const KW_UNION = 6; // union intersect except minus
export const KW_SELECT = 7;
export const KW_FROM = 8;
export const KW_WHERE = 9; // where having on
export const KW_ORDER = 10; // order group partition
export const KW_BY = 11;
export const KW_LIMIT = 12; // limit offset fetch top
export const KW_INTO = 13;
export const KW_AS = 14;
export const KW_DISTINCT = 15; // all distinct
export const KW_CASE = 16;
export const KW_WHEN = 17; // when then else
export const KW_END = 18;
export const KW_EXISTS = 19;
export const KW_IS = 20;
export const KW_STMT = 21; // statement starters (see STATEMENT_OBJECTS)
export const KW_WAITFOR = 22;
export const KW_DIR = 23; // asc desc
export const KW_PROCEDURE = 24;
export const KW_JOIN = 25; // join inner left right outer cross natural
export const KW_COLLATE = 26;
export const KW_ESCAPE = 27;
export const KW_INFO_LITERAL = 28; // current_user, session_user... (no parentheses needed)
export const KW_RESERVED = 29; // reserved words that cannot be identifiers here
export const KW_INTERVAL = 30; // interval, binary (prefix operators)
export const KW_SET = 31;
export const KW_VALUES = 32;
export const KW_FOR = 33;

export const SQL_KEYWORDS: ReadonlyMap<string, number> = new Map<string, number>([
  ['or', KW_LOGIC], ['and', KW_LOGIC], ['xor', KW_LOGIC],
  ['like', KW_CMP], ['rlike', KW_CMP], ['regexp', KW_CMP], ['glob', KW_CMP], ['sounds', KW_CMP],
  ['between', KW_CMP], ['in', KW_CMP], ['match', KW_CMP], ['ilike', KW_CMP], ['similar', KW_CMP],
  ['div', KW_ARITH], ['mod', KW_ARITH],
  ['null', KW_LITERAL], ['true', KW_LITERAL], ['false', KW_LITERAL], ['unknown', KW_LITERAL],
  ['not', KW_NOT],
  ['union', KW_UNION], ['intersect', KW_UNION], ['except', KW_UNION], ['minus', KW_UNION],
  ['select', KW_SELECT],
  ['from', KW_FROM],
  ['where', KW_WHERE], ['having', KW_WHERE], ['on', KW_WHERE],
  ['order', KW_ORDER], ['group', KW_ORDER], ['partition', KW_ORDER],
  ['by', KW_BY],
  ['limit', KW_LIMIT], ['offset', KW_LIMIT], ['top', KW_LIMIT],
  ['into', KW_INTO],
  ['as', KW_AS],
  ['all', KW_DISTINCT], ['distinct', KW_DISTINCT], ['distinctrow', KW_DISTINCT],
  ['case', KW_CASE],
  ['when', KW_WHEN], ['then', KW_WHEN], ['else', KW_WHEN],
  ['end', KW_END],
  ['exists', KW_EXISTS],
  ['is', KW_IS],
  ['insert', KW_STMT], ['update', KW_STMT], ['delete', KW_STMT], ['drop', KW_STMT], ['create', KW_STMT],
  ['alter', KW_STMT], ['truncate', KW_STMT], ['exec', KW_STMT], ['execute', KW_STMT], ['declare', KW_STMT],
  ['shutdown', KW_STMT], ['grant', KW_STMT], ['revoke', KW_STMT], ['backup', KW_STMT], ['restore', KW_STMT],
  ['load', KW_STMT], ['show', KW_STMT], ['rename', KW_STMT], ['replace', KW_STMT], ['merge', KW_STMT],
  ['handler', KW_STMT], ['copy', KW_STMT], ['attach', KW_STMT], ['pragma', KW_STMT], ['dbcc', KW_STMT],
  ['waitfor', KW_WAITFOR],
  ['asc', KW_DIR], ['desc', KW_DIR],
  ['procedure', KW_PROCEDURE],
  ['join', KW_JOIN], ['inner', KW_JOIN], ['left', KW_JOIN], ['right', KW_JOIN], ['outer', KW_JOIN],
  ['cross', KW_JOIN], ['natural', KW_JOIN], ['straight_join', KW_JOIN],
  ['collate', KW_COLLATE],
  ['escape', KW_ESCAPE],
  ['current_user', KW_INFO_LITERAL], ['session_user', KW_INFO_LITERAL], ['system_user', KW_INFO_LITERAL],
  ['current_database', KW_INFO_LITERAL], ['current_schema', KW_INFO_LITERAL],
  ['interval', KW_INTERVAL], ['binary', KW_INTERVAL],
  ['set', KW_SET],
  ['values', KW_VALUES], ['value', KW_VALUES],
  ['for', KW_FOR],
  ['table', KW_RESERVED], ['database', KW_RESERVED], ['with', KW_RESERVED], ['to', KW_RESERVED],
  ['use', KW_RESERVED], ['if', KW_RESERVED], ['begin', KW_RESERVED],
]);

/** Objects that may follow a DDL statement keyword (`drop table`, `create user`). */
export const STATEMENT_OBJECTS: ReadonlySet<string> = new Set([
  'table', 'database', 'schema', 'user', 'login', 'view', 'procedure', 'proc', 'function', 'index', 'trigger',
  'role', 'column', 'tablespace', 'sequence', 'event', 'temporary', 'or', 'unique', 'external', 'server',
  'assembly', 'synonym', 'type', 'extension', 'language', 'log', 'data', 'tables', 'databases', 'grants',
  'variables', 'columns', 'processlist', 'privileges', 'status', 'all', 'select', 'insert', 'update', 'delete',
  'execute', 'usage', 'file', 'super', 'connect', 'resource', 'dba', 'sysadmin', 'master', 'into',
]);

/** Time-delay and resource-exhaustion functions (blind injection by timing). */
export const TIME_FUNCTIONS: ReadonlySet<string> = new Set([
  'sleep', 'benchmark', 'pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'randomblob', 'receive_message',
  'get_lock', 'generate_series',
]);

/**
 * Functions that fingerprint the server, read files, reach the network or force errors
 * that leak data (error-based injection).
 */
export const INFO_FUNCTIONS: ReadonlySet<string> = new Set([
  'version', 'database', 'schema', 'user', 'current_user', 'session_user', 'system_user', 'load_file',
  'extractvalue', 'updatexml', 'get_host_address', 'get_host_name', 'name_const', 'current_setting',
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'lo_import', 'lo_export', 'db_name', 'host_name',
  'suser_name', 'suser_sname', 'user_name', 'is_srvrolemember', 'is_member', 'has_dbaccess',
  'serverproperty', 'sqlite_version', 'xp_cmdshell', 'xp_dirtree', 'xp_fileexist', 'xp_regread',
  'openrowset', 'opendatasource', 'sys_context', 'getxml', 'xmltype', 'geometrycollection', 'multipoint',
  'polygon', 'multipolygon', 'linestring', 'multilinestring', 'json_keys', 'connection_id',
  'last_insert_id', 'uuid', 'sys_eval', 'sys_exec', 'dbms_xmlgen', 'httpuritype', 'drithsx', 'sn',
  'current_database', 'inet_server_addr', 'pg_backend_pid', 'has_database_privilege', 'is_superuser',
]);

/** Ordinary SQL functions: their presence makes a fragment look more like SQL. */
export const SQL_FUNCTIONS: ReadonlySet<string> = new Set([
  'char', 'chr', 'nchar', 'concat', 'concat_ws', 'group_concat', 'string_agg', 'listagg', 'substring', 'substr',
  'mid', 'ascii', 'ord', 'hex', 'unhex', 'md5', 'sha1', 'sha2', 'cast', 'convert', 'length', 'len', 'char_length',
  'lower', 'upper', 'lcase', 'ucase', 'replace', 'if', 'iif', 'ifnull', 'isnull', 'nullif', 'coalesce', 'count',
  'sum', 'min', 'max', 'avg', 'rand', 'random', 'floor', 'ceil', 'ceiling', 'elt', 'bin', 'conv', 'instr',
  'locate', 'position', 'left', 'right', 'reverse', 'trim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'space', 'repeat',
  'quote', 'soundex', 'datalength', 'like', 'unicode', 'octet_length', 'bit_length', 'strcmp', 'field',
  'find_in_set', 'export_set', 'make_set', 'row', 'now', 'sysdate', 'getdate', 'to_char', 'to_number', 'decode',
  'nvl', 'nvl2', 'exp', 'abs', 'pow', 'power', 'round', 'regexp_like', 'regexp_substr', 'json_extract',
  'xmlelement', 'xmlagg', 'case', 'table_name', 'column_name', 'schema_name', 'cot', 'utl_raw', 'to_hex',
  'substring_index', 'aes_encrypt', 'aes_decrypt', 'encode', 'ascii_str', 'char_to_hex', 'chr', 'rawtohex',
  'exists', 'any', 'some',
]);

/**
 * Catalogue tables and schemas: reading them is how an injection maps the database.
 * A name qualified with `.` (`mysql.user`, `master..sysservers`) is checked by its first part.
 */
export const SYSTEM_OBJECTS: ReadonlySet<string> = new Set([
  'information_schema', 'sysobjects', 'syscolumns', 'sysusers', 'syslogins', 'sysdatabases', 'sysservers',
  'sysprocesses', 'all_tables', 'all_tab_columns', 'all_users', 'user_tables', 'user_tab_columns', 'dba_users',
  'dba_tables', 'dba_role_privs', 'v$version', 'v$instance', 'v$database', 'pg_shadow', 'pg_user', 'pg_group',
  'pg_database', 'pg_tables', 'pg_catalog', 'pg_class', 'pg_namespace', 'pg_roles', 'pg_authid', 'sqlite_master',
  'sqlite_schema', 'sqlite_temp_master', 'msysobjects', 'msysaccessobjects', 'mysql', 'master', 'sys',
  'sysibm', 'syscat', 'dual', 'tempdb', 'msdb', 'performance_schema',
]);

/** The subset of {@link SYSTEM_OBJECTS} that only counts when qualified (`mysql.user`, `master..x`). */
export const QUALIFIED_ONLY_OBJECTS: ReadonlySet<string> = new Set(['mysql', 'master', 'sys', 'tempdb', 'msdb']);
