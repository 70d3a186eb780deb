/**
 * Command names from POSIX shells, GNU/BusyBox userlands and Windows `cmd.exe`, sorted by
 * how much a bare word tells: a word that is only a command (`whoami`) versus a command
 * that is also an English word (`cat`, `sleep`), which needs shell-like arguments first.
 */

/** Commands whose name is not an everyday word. */
export const UNAMBIGUOUS_COMMANDS: ReadonlySet<string> = new Set([
  'id', 'whoami', 'uname', 'ifconfig', 'ipconfig', 'netstat', 'nslookup', 'wget', 'curl', 'nc', 'ncat', 'netcat',
  'telnet', 'bash', 'sh', 'zsh', 'ksh', 'csh', 'tcsh', 'dash', 'powershell', 'pwsh', 'cmd', 'certutil',
  'bitsadmin', 'wmic', 'systeminfo', 'tasklist', 'taskkill', 'netsh', 'passwd', 'chmod', 'chown', 'chgrp',
  'useradd', 'adduser', 'usermod', 'userdel', 'crontab', 'mkfifo', 'mknod', 'xterm', 'nohup', 'perl', 'python',
  'python2', 'python3', 'ruby', 'php', 'lua', 'gcc', 'busybox', 'sysinfo', 'pwd', 'ls', 'ps', 'rm', 'cp', 'mv',
  'killall', 'pkill', 'xargs', 'base64', 'xxd', 'hexdump', 'tftp', 'rsync', 'nmap', 'socat', 'sudo', 'chroot',
  'lsof', 'getent', 'traceroute', 'tracert', 'pathping', 'rmdir', 'mkdir', 'attrib', 'cacls', 'icacls',
  'schtasks', 'vssadmin', 'wevtutil', 'runas', 'findstr', 'whereis', 'vi', 'vim', 'nano', 'uniq', 'openssl',
  'gpg', 'awk', 'gawk', 'sed', 'grep', 'egrep', 'fgrep', 'printenv', 'ssh', 'scp', 'sftp', 'ftp', 'arp', 'ping6',
  'uptime', 'hostname', 'lspci', 'lsusb', 'lsmod', 'dmesg', 'ulimit', 'umask', 'chattr', 'lsattr', 'setfacl',
  'getfacl', 'regedit', 'wscript', 'cscript', 'mshta', 'rundll32', 'regsvr32', 'msiexec', 'cmd.exe',
  'powershell.exe', 'nc.exe', 'tcpdump', 'strace', 'ltrace', 'gdb', 'objdump', 'readelf', 'ldd', 'insmod',
  'rmmod', 'modprobe', 'iptables', 'systemctl', 'gunzip', 'bzip2', 'unzip', '7z', 'nproc', 'lscpu', 'vmstat',
  'iostat', 'phpinfo', 'stty', 'dir',
]);

/** Recon commands that are an attack probe even alone, with no separator and no argument. */
export const RECON_COMMANDS: ReadonlySet<string> = new Set([
  'whoami', 'uname', 'ifconfig', 'ipconfig', 'systeminfo', 'netstat', 'sysinfo', 'tasklist',
]);

/** Commands that are also ordinary words; they count only with shell-like arguments. */
export const WORDY_COMMANDS: ReadonlySet<string> = new Set([
  'cat', 'head', 'tail', 'more', 'less', 'find', 'sort', 'cut', 'file', 'type', 'set', 'start', 'call', 'exit',
  'at', 'ping', 'sleep', 'echo', 'kill', 'touch', 'host', 'who', 'w', 'last', 'where', 'wall', 'write', 'mail',
  'date', 'time', 'test', 'man', 'look', 'join', 'split', 'paste', 'print', 'read', 'top', 'watch',
  'source', 'exec', 'eval', 'trap', 'wait', 'copy', 'move', 'ren', 'rename', 'del', 'erase', 'open', 'locate',
  'strings', 'diff', 'cmp', 'tr', 'expand', 'fold', 'fmt', 'pr', 'rev', 'timeout',
  'ln', 'install', 'make', 'mount', 'link', 'unlink', 'groups', 'users', 'finger', 'mesg', 'talk', 'history',
  'shift', 'nice', 'renice', 'bg', 'fg',
  'jobs', 'disown', 'suspend', 'logout', 'login', 'newgrp', 'script', 'screen', 'tmux', 'clear', 'reset',
  'free', 'service', 'route', 'init', 'halt', 'shutdown', 'reboot', 'net', 'sc', 'reg', 'md', 'rd', 'su',
  'ip', 'od', 'env', 'ver', 'stat', 'which', 'tar', 'zip', 'dig', 'tee', 'nl', 'wc', 'dd', 'ufw', 'gzip',
]);

/** Subcommands that make a wordy Windows command line unambiguous (`net user`, `reg add`). */
export const SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['net', new Set(['view', 'user', 'users', 'localgroup', 'group', 'share', 'use', 'start', 'stop', 'session', 'accounts', 'config'])],
  ['netsh', new Set(['firewall', 'advfirewall', 'interface', 'wlan', 'winhttp'])],
  ['reg', new Set(['add', 'query', 'delete', 'save', 'export', 'import'])],
  ['sc', new Set(['query', 'create', 'config', 'start', 'stop', 'delete'])],
]);

/** Prefixes that run the command after them (`sudo id`, `nohup nc ...`). */
export const COMMAND_PREFIXES: ReadonlySet<string> = new Set(['sudo', 'env', 'nohup', 'exec', 'command', 'builtin', 'time', 'nice', 'timeout', 'busybox', 'doas']);

/** Functions of PHP, Python, Perl, Ruby and Java that run an OS command or arbitrary code. */
export const CODE_EXEC_FUNCTIONS: ReadonlySet<string> = new Set([
  'system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open', 'pcntl_exec', 'assert', 'create_function',
  'call_user_func', 'preg_replace', 'phpinfo', 'phpversion', 'getruntime', 'spawn', 'execsync', 'spawnsync',
  'execfile', 'execfilesync', 'subprocess', 'check_output', 'getoutput', 'os.system', 'os.popen', '__import__',
  'eval', 'file_get_contents', 'readfile', 'highlight_file',
  'show_source', 'fopen', 'file_put_contents', 'base64_decode', 'unserialize',
]);
