/**
 * SQL injection: each construction of the attack (breaking out of a quoted or numeric
 * context, then a tautology, UNION, a stacked query, a time delay, a comment that cuts the
 * query) next to text that uses the same words or characters innocently.
 */
import { attacks, benign } from './helpers';

describe('detection: SQL injection', () => {
  describe('quote breakout with a tautology or a boolean', () => {
    attacks('sqli', [
      "' or 1=1--",
      "x' OR 'a'='a",
      'jane" or "b"="b',
      "') or ('z'='z",
      "admin')) or ((1=1))--",
      "' or 2>1 #",
      "' OR 'abc' LIKE 'a%",
      "1' and 3=3 and 'q'='q",
      "' or true--",
      "' || 1=1 --",
      "nobody' oR 7 = 7 -- -",
      "' or username is not null --",
    ]);
  });
  describe('comment truncation after a breakout', () => {
    attacks('sqli', ["root'--", 'root" #', "root')-- ", "x'/*"]);
  });
  describe('UNION SELECT', () => {
    attacks('sqli', [
      "' union select username, password from users--",
      '-7 UNION ALL SELECT NULL,NULL,NULL--',
      "') union select 1,@@version,3#",
      '0 union distinct select table_name from information_schema.tables',
    ]);
  });
  describe('stacked queries and procedures', () => {
    attacks('sqli', [
      "'; DROP TABLE accounts; --",
      "1; delete from sessions",
      "x'; exec master..xp_cmdshell 'whoami'--",
      "'; insert into admins (name) values ('eve')--",
      "5; shutdown --",
      'Nice quiz 1; DROP TABLE students',
      'see ticket 42; delete from sessions where 1=1',
    ]);
    // A `;` after a word is prose, even when a SQL verb follows.
    benign(['see you; delete from my list', 'I tried; drop it anyway', 'Room 12; select a plan from the menu']);
  });
  describe('time delays and fingerprinting', () => {
    attacks('sqli', [
      "' and sleep(10)#",
      '1 AND BENCHMARK(5000000,SHA1(0x41))',
      "1); select pg_sleep(7)--",
      "'; waitfor delay '0:0:9'--",
      "' and extractvalue(1,concat(0x7e,version()))--",
      'select @@datadir',
      "' and 1=(select count(*) from sysobjects)--",
    ]);
  });
  describe('numeric context and appended conditions', () => {
    attacks('sqli', ['12 or 1=1', '12 OR 3=3 -- ', ' AND 8=8', ' or x=x', '99 order by 5--', ' ORDER BY 12', '3 and (select 1 from dual)=1']);
  });
  describe('benign look-alikes', () => {
    benign([
      "O'Brien",
      "D'Angelo",
      "Rock 'n' Roll",
      "it's Bob's turn, isn't it?",
      'select a plan',
      'Please select your plan and drop off the form',
      'drop off at union station',
      'Union Pacific Railroad',
      '1 or 2 items',
      '1=1 is math',
      '1=1 offer (buy one get one)',
      'Table for 2, please',
      'Where are you from?',
      '-- Mark Twain',
      'The end. -- Anonymous',
      '10% off -- today only!',
      'x >= 10',
      '1+1=2',
      'null and void',
      'like 100 or more',
      'Order by Friday',
      'having a great time',
      'update my billing address',
      'delete my account please',
      'insert coin to continue',
      'Drop table tennis practice tonight',
      'Benchmark results: 1.5x faster',
      'use strict',
      "Union Jack flag 3' x 5'",
      'It\'s 5\' 11" tall',
      'the 5\' 9" guard',
      "'90s music",
      "He said 'no' and left",
      'She said "yes", then "no".',
      '{"comment":"I\'d like to drop my order"}',
      "Use 'or' between keywords to widen the search",
      'SELECT name FROM customers WHERE city = Paris',
      'My password has a \' in it and login fails',
    ]);
  });
});
