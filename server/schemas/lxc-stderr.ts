/** LXC's advice to its command-line user, which means nothing to a panel user. */
const BOILERPLATE = /run the container in foreground mode|can be obtained by setting the --logfile/;

/** Short, single-line form of what a tool printed on stderr (and in its log), for error messages. */
export const summariseStderr = (stderr: string): string => {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !BOILERPLATE.test(line))
    // "lxc-start: c1: ../src/lxc/tools/lxc_start.c: main: 306 The container failed to start" -> the message
    .map((line) => line.replace(/^lxc-[a-z]+: [^:]*: [^:]+\.c: [^:]+: \d+ /, ""))
    // "lxc-start c1 20261129064117.346 ERROR network - ../src/lxc/network.c:fn:711 - msg" -> "msg"
    .map((line) => line.replace(/^lxc-[a-z]+ \S+ \d+\.\d+ [A-Z]+\s+\S+ - \S+\.c:[^ ]+ - /, ""));
  return [...new Set(lines)].join("; ").slice(0, 2000);
};
