/**
 * SQL injection: judged by what the value does to a query, not by keywords.
 *
 * The value is dropped, in turn, into the three places an application puts user input:
 * inside a single-quoted string, inside a double-quoted string, and bare (a number, or a
 * fragment appended to a condition). In a quoted context the first unescaped quote ends
 * the application's string (the "breakout"); what follows is parsed with a small SQL
 * grammar (a state machine over the tokens of {@link SqlLexer}). Prose stops parsing
 * within a token or two ("O'Brien": after the quote comes the identifier `Brien`, which
 * SQL does not allow after a string). An injection keeps parsing and builds something:
 * a tautology, UNION SELECT, a stacked statement, a time-delay call, a comment that cuts
 * off the rest of the query. Those constructions, not words, carry the score.
 *
 * Linear: each context lexes the value at most once, stops at the first error, and the
 * parenthesis stack is capped.
 */
import type { NormalizedValue } from './normalize';
import type { FindingList } from './findings';
import { TextBuilder } from './text-builder';
import {
  SqlLexer, TK_END, TK_NUM, TK_STR, TK_STR_OPEN, TK_WORD, TK_VAR, TK_OP, TK_LPAREN, TK_RPAREN, TK_COMMA,
  TK_SEMI, TK_DOT, TK_COMMENT, OP_CMP, OP_LOGIC, OP_ARITH, OP_UNARY, OP_ASSIGN,
} from './sql-lexer';
import {
  SQL_KEYWORDS, STATEMENT_OBJECTS, TIME_FUNCTIONS, INFO_FUNCTIONS, SQL_FUNCTIONS, SYSTEM_OBJECTS,
  QUALIFIED_ONLY_OBJECTS, KW_LOGIC, KW_CMP, KW_ARITH, KW_LITERAL, KW_NOT, KW_UNION, KW_SELECT, KW_FROM,
  KW_WHERE, KW_ORDER, KW_LIMIT, KW_INTO, KW_AS, KW_DISTINCT, KW_CASE, KW_WHEN, KW_END, KW_EXISTS, KW_IS,
  KW_STMT, KW_WAITFOR, KW_DIR, KW_PROCEDURE, KW_JOIN, KW_COLLATE, KW_ESCAPE, KW_INFO_LITERAL, KW_INTERVAL,
  KW_SET,
} from './sql-keywords';

// Parser states.
const S_START = 0;
const S_OPERAND = 1;
const S_OPERATOR = 2;
const S_STMT = 3;
const S_UNION = 4;
const S_BY = 5;
const S_ALIAS = 6;
const S_INTO = 7;
const S_WAITFOR = 8;
const S_WAITFOR_ARG = 9;
const S_IS = 10;
const S_FN = 11;
const S_BODY = 12;
const S_DDL = 13;
const S_NOT = 14;
const S_EXEC = 15;
const S_QUALIFY = 16;
const S_EXPECT_KW = 17;
const S_EXPECT_NAME = 18;
const S_SETVAR = 19;
const S_SET_EQ = 20;

// Clauses (what a comma or an identifier after an operand means).
const CL_WHERE = 0;
const CL_SELECT = 1;
const CL_FROM = 2;
const CL_ORDER = 3;
const CL_ARGS = 4;

// Features found in the valid part of a parse.
const F_UNION = 1 << 0;
const F_TIME = 1 << 1;
const F_INFO = 1 << 2;
const F_SYSOBJ = 1 << 3;
const F_SYSVAR = 1 << 4;
const F_TAUT = 1 << 5;
const F_BOOLC = 1 << 6;
const F_COMMENT = 1 << 7;
const F_ORDERNUM = 1 << 8;
const F_INTOFILE = 1 << 9;
const F_SUBSELECT = 1 << 10;
const F_STACKED = 1 << 11;
const F_DDL = 1 << 12;
const F_EXEC = 1 << 13;
const F_SELECT_FROM = 1 << 14;
const F_CMP = 1 << 15;
const F_LOGIC = 1 << 16;
const F_SQLFN = 1 << 17;
const F_BREAKOUT_CMT = 1 << 18;
const F_BREAKOUT_CMP = 1 << 19;
const F_UNION_KW = 1 << 20;
const F_HEX = 1 << 21;
const F_CASE = 1 << 22;
const F_BREAKOUT_OP = 1 << 23;
const F_BOOLC_STR = 1 << 24;
const F_SHORT_COMMENT = 1 << 25;
const F_TAUT_CONST = 1 << 26;
const F_DESTRUCTIVE = 1 << 27;
const F_UNION_RICH = 1 << 28;
const F_STMT_SELECT = 1 << 29;

const MAX_DEPTH = 48;
/**
 * Most tokens one context parses. Prose stops within a few tokens; a value that is still
 * valid SQL after this many is reported as not fully scanned (`incomplete: budget`).
 */
export const MAX_SQL_TOKENS = 4096;
/** A score no other context or view can improve on enough to matter: stop there. */
const CERTAIN = 10;
const DESTRUCTIVE_STATEMENTS = new Set(['drop', 'truncate', 'shutdown', 'grant', 'revoke', 'copy', 'backup', 'restore', 'load']);
/** Most closing parentheses a value may spend on the application's own. */
const MAX_APP_PARENS = 8;

/** Score of each rule (see docs/detection.md). */
export const SQL_RULES = {
  union: { id: 'sqli.union_select', score: 10 },
  time: { id: 'sqli.time_delay', score: 10 },
  fileWrite: { id: 'sqli.file_write', score: 10 },
  exec: { id: 'sqli.procedure_exec', score: 9 },
  stacked: { id: 'sqli.stacked_query', score: 9 },
  tautology: { id: 'sqli.tautology', score: 10 },
  tautologyBare: { id: 'sqli.tautology', score: 8 },
  fingerprint: { id: 'sqli.fingerprint', score: 8 },
  commentTruncation: { id: 'sqli.comment_truncation', score: 8 },
  subquery: { id: 'sqli.subquery', score: 7 },
  booleanQuoted: { id: 'sqli.boolean', score: 8 },
  booleanBare: { id: 'sqli.boolean', score: 5 },
  booleanString: { id: 'sqli.boolean', score: 6 },
  orderBy: { id: 'sqli.order_by_probe', score: 8 },
  orderByWeak: { id: 'sqli.order_by_probe', score: 6 },
  unionKeyword: { id: 'sqli.union_select', score: 7 },
  unionWeak: { id: 'sqli.union_select', score: 4 },
  statement: { id: 'sqli.statement', score: 7 },
  statementWeak: { id: 'sqli.statement', score: 3 },
  statementBare: { id: 'sqli.statement', score: 6 },
  breakoutCompare: { id: 'sqli.quote_breakout', score: 8 },
  breakoutOperator: { id: 'sqli.quote_breakout', score: 6 },
  selectFrom: { id: 'sqli.statement', score: 6 },
  expression: { id: 'sqli.expression', score: 2 },
} as const;

interface ParseResult {
  feats: number;
  /** Every token parsed and the end is one the database accepts. */
  valid: boolean;
  /** Tokens accepted before the end or the first error. */
  tokens: number;
  /** The last accepted token was a string left open (the application's quote closes it). */
  endsInOpenString: boolean;
  /** Offsets of the accepted part. */
  start: number;
  stop: number;
  /** Accepted tokens that are SQL punctuation (operators, parentheses, commas...). */
  punct: number;
  /** The bare parse started with a continuation (operator, keyword) rather than an operand. */
  suffixStart: boolean;
  /** Quoted parse of a value that is nothing but the fragment (see scoreParse). */
  fragment: boolean;
  /** The bare parse started with AND/OR/XOR/||/&& (a condition appended to another). */
  suffixLogic: boolean;
}

/** Reusable SQL analyser. One per detector; scanning is synchronous so it is never shared mid-scan. */
export class SqlAnalyzer {
  private readonly lx = new SqlLexer();
  /** Set by {@link scan} when a context hit {@link MAX_SQL_TOKENS}. */
  exhausted = false;
  private readonly clause: number[] = new Array<number>(MAX_DEPTH * 2 + 2).fill(0);
  private readonly res: ParseResult = {
    feats: 0, valid: false, tokens: 0, endsInOpenString: false, start: 0, stop: 0, punct: 0, suffixStart: false,
    fragment: false, suffixLogic: false,
  };

  /**
   * Scans one normalised value and adds at most one `sqli.*` finding (the strongest
   * context) to `out`. `bareAllowed` is false for locations where a bare statement is not
   * plausible (headers), which only affects the weaker bare rules.
   */
  scan(nv: NormalizedValue, out: FindingList, bareAllowed: boolean): void {
    this.exhausted = false;
    let best = 0;
    let bestRule = '';
    let bestStart = 0;
    let bestStop = 0;
    let bestText = nv.text;
    // Views: the decoded text; the markup-decoded text when it differs; and, when the value
    // has inline comments, the text with them removed (`UN/**/ION` is a filter evasion).
    const markupView = nv.markup !== nv.text ? nv.markup : undefined;
    const commentView = nv.text.indexOf('/*') >= 0 ? joinInlineComments(nv.text) : undefined;
    for (let v = 0; v < 3 && best < CERTAIN; v++) {
      const text = v === 0 ? nv.text : v === 1 ? markupView : commentView;
      if (text === undefined) continue;
      // A query string whose `+` was not decoded: `'+or+1=1--`.
      const plusVariants = text.indexOf('+') >= 0 && !hasBlank(text) ? 2 : 1;
      for (let p = 0; p < plusVariants; p++) {
        const plus = p === 1;
        for (let ctx = 0; ctx < 4 && best < CERTAIN; ctx++) {
          let from = 0;
          if (ctx === 1 || ctx === 2) {
            from = breakoutIndex(text, ctx === 1 ? 39 : 34);
            if (from < 0) continue;
          } else if (ctx === 3) {
            // A statement stacked after a numeric value, with prose before it: `ok 1; DROP TABLE x`
            // (the bare parse stops at the prose). Parsed from the separator, so only a real second
            // statement scores; a `;` after a word (`see you; delete from my list`) is prose.
            from = stackedAfterNumber(text);
            if (from < 0) continue;
          }
          this.parse(text, from, ctx === 1 || ctx === 2, plus);
          const [score, rule] = scoreParse(this.res, ctx === 1 || ctx === 2, bareAllowed);
          if (score > best) {
            best = score;
            bestRule = rule;
            bestStart = ctx === 1 || ctx === 2 ? from - 1 : this.res.start;
            bestStop = this.res.stop;
            bestText = text;
          }
        }
      }
    }
    if (best > 0) out.add('sqli', bestRule, best, bestText, bestStart, bestStop);
  }

  /** Parses `text` from `from`; results in `this.res`. */
  private parse(text: string, from: number, quoted: boolean, plus: boolean): void {
    const lx = this.lx;
    const r = this.res;
    const clause = this.clause;
    lx.reset(text, from, plus);
    r.feats = 0;
    r.valid = false;
    r.tokens = 0;
    r.endsInOpenString = false;
    r.start = from;
    r.stop = from;
    r.punct = 0;
    r.suffixStart = false;
    r.suffixLogic = false;

    let feats = 0;
    let state = quoted ? S_OPERATOR : S_START;
    let depth = MAX_DEPTH; // index into `clause`; below MAX_DEPTH = closing the application's parentheses
    clause[depth] = CL_WHERE;
    let tokens = 0;
    let punct = 0;
    let onlyCloseParens = true;
    let appParens = 0;
    // Predicate tracking: a logical operator, an operand, a comparison, an operand.
    let afterLogic = quoted;
    let explicitLogic = false;
    let cmpSeen = false;
    let constPending = false;
    let constIsString = false;
    let lastConst = false;
    let lastWord = '';
    let leftConst = false;
    let leftWord = '';
    let justAfterLogic = false;
    let prevType = TK_END;
    let prevWasString = quoted; // the application's string just ended
    let lastWasAlias = false;
    let stacked = false;
    let expectWord = '';
    let expectNext = S_OPERAND;
    let orderClause = false;
    let error = false;
    let commentEnd = false;
    let lastStart = from;
    let afterUnion = false;

    for (;;) {
      if (tokens >= MAX_SQL_TOKENS) {
        this.exhausted = true;
        break;
      }
      const t = lx.next();
      if (t === TK_END) break;
      if (t === TK_COMMENT) {
        commentEnd = true;
        feats |= F_COMMENT;
        if (shortComment(text, lx.start)) feats |= F_SHORT_COMMENT;
        if (quoted && onlyCloseParens && feats & F_SHORT_COMMENT && text.lastIndexOf('\n', from) < 0) feats |= F_BREAKOUT_CMT;
        break;
      }
      // A constant right after OR/AND, not followed by a comparison: `' or 1 --`, `or true`.
      if (constPending && state === S_OPERATOR) {
        const isCmp = (t === TK_OP && (lx.opClass === OP_CMP || lx.opClass === OP_ARITH)) ||
          (t === TK_WORD && isCmpWord(lx.text));
        if (!isCmp) feats |= constIsString ? F_BOOLC_STR : F_BOOLC;
        constPending = false;
      }
      let ok = true;
      let operandDone = false;
      let operandConst = false;
      let operandStart = false;
      let logicTok = false;
      const kw = t === TK_WORD && !lx.quotedIdent && !lx.numericWord ? SQL_KEYWORDS.get(lx.text) ?? 0 : 0;

      if (state === S_START) {
        // The first token of a bare value decides what it is: a statement, an operand, or
        // a fragment meant to be appended to a condition (` AND 1=1`, ` ORDER BY 3`).
        if ((t === TK_WORD && kw !== 0 && isContinuationKeyword(kw)) ||
          (t === TK_OP && (lx.opClass === OP_CMP || lx.opClass === OP_LOGIC)) || t === TK_RPAREN || t === TK_COMMA) {
          r.suffixStart = true;
          r.suffixLogic = (t === TK_WORD && kw === KW_LOGIC) || (t === TK_OP && lx.opClass === OP_LOGIC);
          state = S_OPERATOR;
        } else if (t === TK_SEMI) {
          state = S_STMT;
          stacked = true;
          punct++;
          prevType = t;
          tokens++;
          r.stop = lx.end;
          continue;
        } else if (t === TK_WORD && (kw === KW_STMT || kw === KW_WAITFOR || kw === KW_SET)) {
          state = S_STMT;
        } else state = S_OPERAND;
      }

      switch (state) {
        case S_OPERAND:
          switch (t) {
            case TK_NUM:
              operandStart = true;
              operandDone = true;
              operandConst = true;
              if (lx.hexNumber) feats |= F_HEX;
              if (orderClause && clause[depth] === CL_ORDER) feats |= F_ORDERNUM;
              break;
            case TK_STR:
            case TK_STR_OPEN:
              operandStart = true;
              operandDone = true;
              operandConst = true;
              punct++;
              break;
            case TK_VAR:
              operandStart = true;
              operandDone = true;
              if (lx.systemVar) feats |= F_SYSVAR;
              punct++;
              break;
            case TK_LPAREN:
              operandStart = true;
              if (depth + 1 >= clause.length) ok = false;
              else clause[++depth] = CL_WHERE;
              punct++;
              break;
            case TK_RPAREN:
              // Only an empty argument list: `version()`, `count()`.
              if (prevType === TK_LPAREN && depth > MAX_DEPTH) {
                depth--;
                operandDone = true;
                punct++;
              } else ok = false;
              break;
            case TK_OP:
              if (lx.opClass === OP_UNARY || lx.text === '-' || lx.text === '+') {
                operandStart = true;
                punct++;
              } else if (lx.text === '*') {
                operandDone = true; // `select *`, `count(*)`
                punct++;
              } else ok = false;
              break;
            case TK_WORD:
              if (kw === KW_LITERAL) {
                operandStart = true;
                operandDone = true;
                operandConst = true;
              } else if (kw === KW_INFO_LITERAL) {
                operandStart = true;
                operandDone = true;
                feats |= F_INFO;
              } else if (kw === KW_SELECT) {
                operandStart = true;
                if (depth > MAX_DEPTH && prevType === TK_LPAREN) feats |= F_SUBSELECT;
                clause[depth] = CL_SELECT;
              } else if (kw === KW_NOT || kw === KW_DISTINCT || kw === KW_INTERVAL || kw === KW_WHEN) {
                operandStart = true;
              } else if (kw === KW_CASE) {
                operandStart = true;
                feats |= F_CASE;
              } else if (kw === KW_EXISTS) {
                operandStart = true;
                state = S_FN;
              } else if (lx.peekNonBlank() === 40) {
                // A function call: the name is what matters.
                operandStart = true;
                feats |= functionFeature(lx.text);
                state = S_FN;
              } else if (kw !== 0) {
                ok = false;
              } else {
                operandStart = true;
                if (lx.peekCode() === 46) {
                  if (SYSTEM_OBJECTS.has(lx.text)) feats |= F_SYSOBJ;
                  // Oracle packages that reach the network or the server: utl_http, dbms_*, ctxsys.
                  if (lx.text.startsWith('utl_') || lx.text.startsWith('dbms_') || lx.text === 'ctxsys') feats |= F_INFO;
                  state = S_QUALIFY;
                } else {
                  if (SYSTEM_OBJECTS.has(lx.text) && !QUALIFIED_ONLY_OBJECTS.has(lx.text)) feats |= F_SYSOBJ;
                  operandDone = true;
                }
              }
              break;
            default:
              ok = false;
          }
          if (ok && operandStart && afterLogic && cmpSeen) {
            feats |= explicitLogic ? F_TAUT : F_BREAKOUT_CMP;
            // 1=1, 'a'='a', x=x: a comparison that does not depend on the row.
            const rightConst = t === TK_NUM || t === TK_STR || t === TK_STR_OPEN || (t === TK_WORD && kw === KW_LITERAL);
            const rightWord = t === TK_WORD && kw === 0 && lx.peekNonBlank() !== 40 ? lx.text : '';
            if ((leftConst && rightConst) || (leftWord !== '' && leftWord === rightWord)) feats |= F_TAUT_CONST;
            afterLogic = false;
          }
          break;
        case S_OPERATOR:
          lastWasAlias = lastWasAlias && t === TK_WORD;
          switch (t) {
            case TK_OP:
              punct++;
              if (lx.opClass === OP_CMP) {
                feats |= F_CMP;
                if (afterLogic) {
                  cmpSeen = true;
                  leftConst = lastConst;
                  leftWord = lastWord;
                }
                state = S_OPERAND;
              } else if (lx.opClass === OP_LOGIC) {
                feats |= F_LOGIC;
                afterLogic = true;
                explicitLogic = true;
                cmpSeen = false;
                logicTok = true;
                state = S_OPERAND;
              } else if (lx.opClass === OP_ARITH || lx.opClass === OP_ASSIGN) {
                state = S_OPERAND;
              } else ok = false;
              if (ok && quoted && tokens === 0) feats |= F_BREAKOUT_OP;
              break;
            case TK_WORD:
              switch (kw) {
                case KW_LOGIC:
                  feats |= F_LOGIC;
                  afterLogic = true;
                  explicitLogic = true;
                  cmpSeen = false;
                  logicTok = true;
                  state = S_OPERAND;
                  break;
                case KW_CMP:
                  feats |= F_CMP;
                  if (afterLogic) {
                    cmpSeen = true;
                    leftConst = lastConst;
                    leftWord = lastWord;
                  }
                  state = S_OPERAND;
                  break;
                case KW_ARITH:
                  state = S_OPERAND;
                  break;
                case KW_NOT:
                  state = S_NOT;
                  break;
                case KW_IS:
                  feats |= F_CMP;
                  if (afterLogic) {
                    cmpSeen = true;
                    leftConst = lastConst;
                    leftWord = lastWord;
                  }
                  state = S_IS;
                  break;
                case KW_UNION:
                  state = S_UNION;
                  break;
                case KW_ORDER:
                  state = S_BY;
                  break;
                case KW_PROCEDURE:
                  // `PROCEDURE ANALYSE()`: MySQL's way to describe the result columns.
                  feats |= F_INFO;
                  state = S_OPERAND;
                  break;
                case KW_LIMIT:
                case KW_ESCAPE:
                case KW_WHEN:
                  state = S_OPERAND;
                  break;
                case KW_WHERE:
                  afterLogic = true;
                  explicitLogic = true;
                  cmpSeen = false;
                  clause[depth] = CL_WHERE;
                  state = S_OPERAND;
                  break;
                case KW_FROM:
                  if (clause[depth] === CL_SELECT) {
                    clause[depth] = CL_FROM;
                    feats |= F_SELECT_FROM;
                    state = S_OPERAND;
                  } else ok = false;
                  break;
                case KW_INTO:
                  state = S_INTO;
                  break;
                case KW_AS:
                case KW_COLLATE:
                  state = S_ALIAS;
                  break;
                case KW_DIR:
                  if (clause[depth] !== CL_ORDER) ok = false;
                  break;
                case KW_JOIN:
                  if (clause[depth] === CL_FROM) state = S_OPERAND;
                  else ok = false;
                  break;
                case KW_END:
                  break;
                case KW_SELECT:
                  // `IF(1=1) SELECT 1`, `') SELECT ...`: a second statement written after the first.
                  if (prevType === TK_RPAREN) {
                    clause[depth] = CL_SELECT;
                    state = S_OPERAND;
                  } else ok = false;
                  break;
                case KW_WAITFOR:
                  state = S_WAITFOR;
                  break;
                case KW_STMT:
                  // MSSQL runs statements written back to back: `') exec xp_cmdshell ...`.
                  if (lx.text === 'exec' || lx.text === 'execute' || prevType === TK_RPAREN || (quoted && tokens === 0)) {
                    const st = this.statement(t, kw, lx.text);
                    if (st < 0) ok = false;
                    else {
                      state = st;
                      expectWord = this.expectWord;
                      expectNext = this.expectNext;
                      feats |= this.stmtFeat;
                    }
                  } else ok = false;
                  break;
                case 0:
                  // An alias: `select 1 x`, `from users u`. One in a row, in those clauses only.
                  if (!lx.numericWord && !lastWasAlias && (clause[depth] === CL_SELECT || clause[depth] === CL_FROM)) {
                    lastWasAlias = true;
                  } else ok = false;
                  break;
                default:
                  ok = false;
              }
              break;
            case TK_STR:
            case TK_STR_OPEN:
              // Adjacent strings concatenate in MySQL: `'' ' '`.
              if (!prevWasString && clause[depth] !== CL_SELECT) ok = false;
              punct++;
              break;
            case TK_RPAREN:
              // Ours, or one of the application's (`admin') or ('1'='1`, `1)) or sleep(5)#`).
              punct++;
              if (depth > MAX_DEPTH) depth--;
              else if (appParens < MAX_APP_PARENS) {
                appParens++;
                clause[depth] = CL_WHERE;
              } else ok = false;
              break;
            case TK_COMMA:
              punct++;
              state = S_OPERAND;
              break;
            case TK_SEMI:
              punct++;
              state = S_STMT;
              stacked = true;
              break;
            case TK_DOT:
              if (prevType === TK_WORD || prevType === TK_RPAREN) state = S_QUALIFY;
              else ok = false;
              break;
            default:
              ok = false;
          }
          break;
        case S_STMT: {
          const st = this.statement(t, kw, lx.text);
          if (st < 0) ok = false;
          else {
            state = st;
            expectWord = this.expectWord;
            expectNext = this.expectNext;
            if (stacked) feats |= F_STACKED;
            feats |= this.stmtFeat;
          }
          break;
        }
        case S_FN:
          if (t === TK_LPAREN) {
            punct++;
            if (depth + 1 >= clause.length) ok = false;
            else clause[++depth] = CL_ARGS;
            state = S_OPERAND;
          } else ok = false;
          break;
        case S_QUALIFY:
          if (t === TK_DOT) break;
          if (t === TK_WORD) {
            if (SYSTEM_OBJECTS.has(lx.text) && !QUALIFIED_ONLY_OBJECTS.has(lx.text)) feats |= F_SYSOBJ;
            if (lx.peekNonBlank() === 40) {
              feats |= functionFeature(lx.text);
              state = S_FN;
            } else if (lx.peekCode() !== 46) operandDone = true;
          } else if (t === TK_OP && lx.text === '*') operandDone = true;
          else ok = false;
          break;
        case S_NOT:
          if (t === TK_WORD && (kw === KW_CMP || kw === KW_EXISTS)) {
            feats |= F_CMP;
            if (afterLogic) {
              cmpSeen = true;
              leftConst = lastConst;
              leftWord = lastWord;
            }
            state = kw === KW_EXISTS ? S_FN : S_OPERAND;
          } else ok = false;
          break;
        case S_IS:
          if (t === TK_WORD && kw === KW_NOT) break;
          if (t === TK_WORD && kw === KW_LITERAL) {
            operandDone = true;
            operandConst = true;
            if (afterLogic && cmpSeen && explicitLogic) feats |= F_TAUT;
          } else ok = false;
          break;
        case S_UNION:
          if (t === TK_WORD && kw === KW_DISTINCT) {
            feats |= F_UNION_KW;
          } else if (t === TK_WORD && kw === KW_SELECT) {
            feats |= F_UNION;
            afterUnion = true;
            clause[depth] = CL_SELECT;
            state = S_OPERAND;
          } else if (t === TK_LPAREN) {
            punct++;
            if (depth + 1 >= clause.length) ok = false;
            else clause[++depth] = CL_SELECT;
          } else ok = false;
          break;
        case S_BY:
          if (t === TK_WORD && lx.text === 'by') {
            clause[depth] = CL_ORDER;
            orderClause = true;
            state = S_OPERAND;
          } else ok = false;
          break;
        case S_ALIAS:
          if (t === TK_WORD || t === TK_STR || t === TK_STR_OPEN) {
            operandDone = true;
            lastWasAlias = true;
          } else ok = false;
          break;
        case S_INTO:
          if (t === TK_WORD && (lx.text === 'outfile' || lx.text === 'dumpfile')) {
            feats |= F_INTOFILE;
            state = S_OPERAND;
          } else if (t === TK_VAR) {
            punct++;
            state = S_OPERATOR;
          } else if (t === TK_WORD && kw === 0) {
            state = S_OPERATOR;
          } else ok = false;
          break;
        case S_WAITFOR:
          if (t === TK_WORD && (lx.text === 'delay' || lx.text === 'time')) state = S_WAITFOR_ARG;
          else ok = false;
          break;
        case S_WAITFOR_ARG:
          if (t === TK_STR || t === TK_STR_OPEN || t === TK_VAR) {
            feats |= F_TIME;
            operandDone = true;
          } else ok = false;
          break;
        case S_DDL:
          if (t === TK_WORD && STATEMENT_OBJECTS.has(lx.text)) {
            state = S_BODY;
            feats |= F_DDL;
          } else ok = false;
          break;
        case S_EXEC:
          // exec xp_cmdshell, exec master..xp_dirtree, exec('...'), exec @sql, execute immediate '...'
          if (t === TK_WORD) {
            const name = lx.text;
            if (name.startsWith('xp_') || name.startsWith('sp_') || SYSTEM_OBJECTS.has(name)) {
              feats |= F_EXEC;
              state = S_BODY;
            } else if (name === 'immediate' || lx.peekCode() === 46) {
              feats |= F_DDL;
              state = S_BODY;
            } else ok = false;
          } else if (t === TK_VAR || t === TK_LPAREN) {
            feats |= F_DDL;
            state = S_BODY;
          } else ok = false;
          break;
        case S_EXPECT_KW:
          if (t === TK_WORD && lx.text === expectWord) {
            state = expectNext;
            if (state === S_BODY) feats |= F_DDL;
          } else ok = false;
          break;
        case S_EXPECT_NAME:
          if (t === TK_WORD && (kw === 0 || lx.quotedIdent)) {
            if (lx.peekCode() !== 46) state = S_EXPECT_KW;
          } else if (t !== TK_DOT) ok = false;
          break;
        case S_SETVAR:
          if (t === TK_VAR || (t === TK_WORD && kw === 0)) state = S_SET_EQ;
          else ok = false;
          break;
        case S_SET_EQ:
          if (t === TK_OP && (lx.text === '=' || lx.text === ':=')) {
            punct++;
            feats |= F_DDL;
            state = S_BODY;
          } else if (t === TK_WORD && lx.text === 'nocount') {
            state = S_BODY;
          } else ok = false;
          break;
        case S_BODY:
          // Permissive: the statement is recognised; look for what it reaches.
          if (t === TK_SEMI) {
            state = S_STMT;
            stacked = true;
          } else if (t === TK_WORD) {
            if (lx.peekNonBlank() === 40) feats |= functionFeature(lx.text);
            if (SYSTEM_OBJECTS.has(lx.text) && (!QUALIFIED_ONLY_OBJECTS.has(lx.text) || lx.peekCode() === 46)) {
              feats |= F_SYSOBJ;
            }
            if (lx.text.startsWith('xp_')) feats |= F_EXEC;
          } else if (t === TK_VAR && lx.systemVar) feats |= F_SYSVAR;
          if (t !== TK_WORD && t !== TK_NUM) punct++;
          break;
        default:
          ok = false;
      }

      if (!ok) {
        error = true;
        break;
      }
      // What follows UNION SELECT: a column list with literals, functions, `*`, commas or a
      // FROM (`union select 1,2`), unlike the words of a name ("Union Select Bank").
      if (afterUnion && state !== S_UNION && t !== TK_WORD) feats |= F_UNION_RICH;
      if (afterUnion && t === TK_WORD && (kw === KW_FROM || kw === KW_LITERAL || kw === KW_INFO_LITERAL || lx.peekNonBlank() === 40)) feats |= F_UNION_RICH;
      if (operandDone) {
        lastConst = operandConst;
        lastWord = t === TK_WORD && kw === 0 ? lx.text : '';
        if (justAfterLogic && operandConst) {
          constPending = true;
          // `' OR '1`, `'or'1=1`: a string that starts with a digit is a truth value, not prose.
          constIsString = (t === TK_STR || t === TK_STR_OPEN) && !isDigitCode(text.charCodeAt(lx.start + 1));
        }
        state = S_OPERATOR;
        prevWasString = t === TK_STR || t === TK_STR_OPEN;
      } else if (t !== TK_STR && t !== TK_STR_OPEN) {
        prevWasString = false;
      }
      justAfterLogic = logicTok;
      if (t !== TK_RPAREN) onlyCloseParens = false;
      r.endsInOpenString = t === TK_STR_OPEN;
      lastStart = lx.start;
      prevType = t;
      tokens++;
      r.stop = lx.end;
    }
    if (constPending && !error) feats |= constIsString ? F_BOOLC_STR : F_BOOLC;
    if (commentEnd) r.stop = lx.end;
    const endState = state;
    r.valid = !error && (commentEnd ? endState !== S_FN : endState === S_OPERATOR || endState === S_BODY ||
      (endState === S_STMT && stacked && tokens > 1) || r.endsInOpenString);
    r.feats = feats;
    r.tokens = tokens;
    r.punct = punct;
    r.fragment = quoted && !error && r.endsInOpenString && text.length - lastStart <= 3 && shortPrefix(text, from - 1);
  }

  // Results of `statement()` (kept on the instance to avoid allocating).
  private expectWord = '';
  private expectNext = S_OPERAND;
  private stmtFeat = 0;

  /** Where a statement keyword leads; -1 when it cannot start a statement. */
  private statement(t: number, kw: number, word: string): number {
    this.stmtFeat = 0;
    if (t === TK_END) return S_STMT;
    if (t === TK_LPAREN) return S_OPERAND;
    if (t !== TK_WORD) return -1;
    if (kw === KW_SELECT) {
      this.clause[MAX_DEPTH] = CL_SELECT;
      this.stmtFeat = F_STMT_SELECT;
      return S_OPERAND;
    }
    if (kw === KW_WAITFOR) return S_WAITFOR;
    if (kw === KW_SET) return S_SETVAR;
    if (word.startsWith('xp_') || word.startsWith('sp_')) {
      this.stmtFeat = F_EXEC;
      return S_BODY;
    }
    if (kw !== KW_STMT) return -1;
    // Statements that destroy, grant, or read and write server files (COPY, BACKUP, LOAD DATA).
    if (DESTRUCTIVE_STATEMENTS.has(word)) this.stmtFeat |= F_DESTRUCTIVE;
    switch (word) {
      case 'insert':
      case 'replace':
        this.expectWord = 'into';
        this.expectNext = S_BODY;
        return S_EXPECT_KW;
      case 'update':
        this.expectWord = 'set';
        this.expectNext = S_BODY;
        return S_EXPECT_NAME;
      case 'copy':
        // PostgreSQL `COPY t FROM '/etc/passwd'` reads a server file.
        this.expectWord = 'from';
        this.expectNext = S_BODY;
        return S_EXPECT_NAME;
      case 'delete':
        this.expectWord = 'from';
        this.expectNext = S_BODY;
        return S_EXPECT_KW;
      case 'exec':
      case 'execute':
        return S_EXEC;
      case 'declare':
        return S_SETVAR;
      case 'shutdown':
        this.stmtFeat |= F_DDL;
        return S_BODY;
      case 'waitfor':
        return S_WAITFOR;
      default:
        return S_DDL;
    }
  }
}

function isCmpWord(w: string): boolean {
  const k = SQL_KEYWORDS.get(w);
  return k === KW_CMP || k === KW_IS || k === KW_NOT || k === KW_ARITH;
}

/** Keywords that can only continue an expression or a query (a fragment's first word). */
function isContinuationKeyword(kw: number): boolean {
  return kw === KW_LOGIC || kw === KW_CMP || kw === KW_UNION || kw === KW_ORDER || kw === KW_LIMIT ||
    kw === KW_PROCEDURE || kw === KW_INTO || kw === KW_WHERE || kw === KW_IS || kw === KW_AS || kw === KW_ARITH;
}

/** Feature bits for a function call by name. */
function functionFeature(name: string): number {
  if (TIME_FUNCTIONS.has(name)) return F_TIME;
  if (INFO_FUNCTIONS.has(name)) return F_INFO;
  if (SQL_FUNCTIONS.has(name)) return F_SQLFN;
  return 0;
}

const commentBuilder = new TextBuilder();

/**
 * Removes inline comments, joining what surrounds them (`UN/**\/ION` -> `UNION`); the
 * content of MySQL executable comments (`/*!50000UNION*\/`) is kept. One pass; an
 * unterminated comment ends the text.
 */
/**
 * Index of the first `;` that follows a digit or `)` (spaces between allowed), or -1: where a
 * numeric application value could end and a stacked statement begin.
 */
function stackedAfterNumber(text: string): number {
  let at = text.indexOf(';');
  while (at > 0) {
    let i = at - 1;
    while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i -= 1;
    const c = i >= 0 ? text.charCodeAt(i) : 0;
    if ((c >= 48 && c <= 57) || c === 41) return at;
    at = text.indexOf(';', at + 1);
  }
  return -1;
}

export function joinInlineComments(s: string): string {
  const out = commentBuilder;
  out.reset(s.length);
  let from = 0;
  let i = s.indexOf('/*');
  while (i >= 0) {
    out.range(s, from, i);
    if (s.charCodeAt(i + 2) === 33) {
      // keep the content: drop `/*!` and its version digits, and the matching `*/`
      let k = i + 3;
      while (k < s.length && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
      const close = s.indexOf('*/', k);
      out.code(32);
      if (close < 0) {
        out.range(s, k, s.length);
        return out.done();
      }
      out.range(s, k, close);
      out.code(32);
      from = close + 2;
    } else {
      const close = s.indexOf('*/', i + 2);
      if (close < 0) return out.done();
      // Join only when the two halves make a keyword (`UN` + `ION`); otherwise the comment
      // stood for a blank (`UNION/**/SELECT`).
      const left = trailingWord(s, i);
      const right = leadingWord(s, close + 2);
      if (left.length === 0 || right.length === 0 || !SQL_KEYWORDS.has(left + right)) out.code(32);
      from = close + 2;
    }
    i = s.indexOf('/*', from);
  }
  out.range(s, from, s.length);
  return out.done();
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** The letters of `s` that end just before `end` (at most 20). Reads the source, never the output being built. */
function trailingWord(s: string, end: number): string {
  let i = end;
  while (i > 0 && end - i < 20 && isAsciiLetter(s.charCodeAt(i - 1))) i--;
  return s.slice(i, end).toLowerCase();
}

/** The letters of `s` from `at` (at most 20). */
function leadingWord(s: string, at: number): string {
  let i = at;
  while (i < s.length && i - at < 20 && isAsciiLetter(s.charCodeAt(i))) i++;
  return s.slice(at, i).toLowerCase();
}

/** True when the comment starting at `at` is short and runs to the end (`--`, `-- -`, `#`, `--+`). */
function shortComment(text: string, at: number): boolean {
  let count = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return false;
    if (c > 32 && ++count > 5) return false;
  }
  return true;
}

/** At most a short word (a user name) before the breakout quote at `q`. */
function shortPrefix(text: string, q: number): boolean {
  if (q > 12) return false;
  for (let i = 0; i < q; i++) if (text.charCodeAt(i) <= 32) return false;
  return true;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hasBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) return true;
  }
  return false;
}

/**
 * Offset just after the first quote that ends the application's string, or -1. A doubled
 * quote (`''`) and a backslash-escaped one stay inside the string.
 */
export function breakoutIndex(text: string, quote: number): number {
  const n = text.length;
  // Where the first quote can be (the prime stands in for `'`): skip straight to it.
  let start = text.indexOf(quote === 39 ? "'" : '"');
  if (quote === 39) {
    const prime = text.indexOf('\u2032');
    if (prime >= 0 && (start < 0 || prime < start)) start = prime;
  }
  if (start < 0) return -1;
  // A backslash before it could escape it: scan from the first backslash if there is one earlier.
  const bs = text.indexOf('\\');
  if (bs >= 0 && bs < start) start = bs;
  for (let i = start; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c === 92) {
      i++;
      continue;
    }
    if (c === 0x2032) c = 39;
    if (c !== quote) continue;
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    if (next === quote || (quote === 39 && next === 0x2032)) {
      i++;
      continue;
    }
    return i + 1;
  }
  return -1;
}

/** Turns a parse into a score and a rule id. */
function scoreParse(r: ParseResult, quoted: boolean, bareAllowed: boolean): [number, string] {
  const f = r.feats;
  if (r.tokens === 0 && !(f & F_BREAKOUT_CMT)) return [0, ''];
  // Bare text must parse completely: prose rarely does, injected SQL always does. The
  // strongest constructions also count in a valid prefix of at least three tokens.
  const strongPrefix = !quoted && !r.valid && r.tokens >= 3;
  if (!quoted && !r.valid && !strongPrefix) return [0, ''];
  let score = 0;
  let rule = '';
  const take = (rl: { id: string; score: number }): void => {
    if (rl.score > score) {
      score = rl.score;
      rule = rl.id;
    }
  };
  if (f & F_UNION && (quoted || f & F_UNION_RICH)) take(SQL_RULES.union);
  else if (f & F_UNION) take(SQL_RULES.unionWeak);
  if (f & F_TIME) take(SQL_RULES.time);
  if (f & F_INTOFILE) take(SQL_RULES.fileWrite);
  if (f & F_EXEC) take(SQL_RULES.exec);
  if (f & (F_INFO | F_SYSOBJ | F_SYSVAR) && (quoted || r.punct > 0)) take(SQL_RULES.fingerprint);
  // A fragment that starts with AND/OR and compares two things is a condition even if
  // the rest is broken (`AND 5650=CONVERT(INT,(UNION ALL SELECTCHAR(88)))`).
  if (strongPrefix && r.suffixLogic && f & F_TAUT && r.tokens >= 4) take(SQL_RULES.tautologyBare);
  if (strongPrefix) return [score, rule];
  if (f & F_STACKED && f & F_DDL) take(SQL_RULES.stacked);
  // `1; SELECT * FROM users`: a second query after the first.
  if (f & F_STACKED && f & F_STMT_SELECT && f & F_SELECT_FROM) take(SQL_RULES.stacked);
  // Bare text: a comparison is a tautology when it is appended with AND/OR, or constant
  // (`1 or 1=1`); `SELECT ... WHERE price > 5` is a query someone pasted, not an injection.
  if (f & F_TAUT && (quoted || r.suffixLogic || f & F_TAUT_CONST)) take(quoted ? SQL_RULES.tautology : SQL_RULES.tautologyBare);
  if (quoted && f & F_BREAKOUT_CMT) take(SQL_RULES.commentTruncation);
  if (f & F_SUBSELECT) take(SQL_RULES.subquery);
  if (f & F_BOOLC) take(quoted ? SQL_RULES.booleanQuoted : SQL_RULES.booleanBare);
  if (f & F_BOOLC_STR) take(quoted ? SQL_RULES.booleanString : SQL_RULES.booleanBare);
  if (quoted && f & F_LOGIC && r.valid && (r.endsInOpenString || f & F_COMMENT)) take(SQL_RULES.booleanString);
  if (f & F_ORDERNUM) take(quoted || f & F_COMMENT || r.suffixStart ? SQL_RULES.orderBy : SQL_RULES.orderByWeak);
  if (f & F_UNION_KW) take(SQL_RULES.unionKeyword);
  if (f & F_DDL) {
    // A bare statement runs only where the whole value is executed; destructive ones still stand out.
    if (quoted || f & F_DESTRUCTIVE) take(r.punct > 0 && bareAllowed || quoted ? SQL_RULES.statement : SQL_RULES.statementWeak);
    else take(r.punct > 0 && bareAllowed ? SQL_RULES.statementBare : SQL_RULES.statementWeak);
  }
  if (quoted && f & F_BREAKOUT_CMP && (r.endsInOpenString || f & F_COMMENT)) take(SQL_RULES.breakoutCompare);
  if (quoted && f & F_BREAKOUT_OP && (r.endsInOpenString || f & F_COMMENT)) take(SQL_RULES.breakoutOperator);
  if (!quoted && f & F_SELECT_FROM && r.punct > 0 && bareAllowed) take(SQL_RULES.selectFrom);
  if (f & (F_CMP | F_LOGIC | F_SQLFN | F_HEX | F_CASE)) take(SQL_RULES.expression);
  // A clean ending (the application's quote closes our string, or a comment cuts the rest)
  // makes any construction more certain.
  if (score >= 7 && quoted && (r.endsInOpenString || f & F_SHORT_COMMENT)) score += 1;
  // The whole value is an SQL fragment: at most a short word before the quote, nothing but
  // a closing quote after the expression (`'&'`, `' or ''-'`, `admin' or ''='`).
  else if (score >= 5 && quoted && r.fragment) score += 1;
  return [score, rule];
}
