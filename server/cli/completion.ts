import { API_COMMANDS, type TApiCommand } from "./api-args";

/**
 * `atelier completion bash`: a bash completion script, from the command table (server/cli/api-args.ts): the
 * subcommands, each one's options, container names (`atelier ls --names`, asked of the panel as the command line
 * would be, quietly; matched as plain text, never expanded by the shell) where a NAME goes, and the words after it (snapshot's actions, autostart's on|off).
 * Installed as /etc/bash_completion.d/atelier (docs/usage.md). Pure: `bash -n` checks it in the tests.
 */
const LOCAL_COMMANDS: Record<string, string[]> = {
  user: ["add", "passwd"],
  token: ["create", "revoke"],
  subids: ["show", "grant"],
  exec: [],
  attach: [],
};
const LOCAL_OPTIONS: Record<string, string[]> = {
  user: ["--role"],
  token: ["--name", "--role", "--expires-days"],
  exec: ["--user", "--timeout"],
  attach: ["--console", "--session"],
};

const words = (list: string[]) => list.join(" ");

export const bashCompletion = (extraCommands: string[] = []) => {
  const entries = Object.entries(API_COMMANDS) as [string, TApiCommand][];
  const commands = [...entries.map(([name]) => name), ...Object.keys(LOCAL_COMMANDS), ...extraCommands];
  const optionCases = [
    ...entries.map(
      ([name, spec]) => [name, Object.keys(spec.options).map((option) => `--${option}`)] as const,
    ),
    ...Object.entries(LOCAL_OPTIONS),
  ]
    .map(([name, options]) => `    ${name}) opts="${words([...options, "--help"])}" ;;`)
    .join("\n");
  const valueOptions = [
    ...new Set([
      ...entries.flatMap(([, spec]) =>
        Object.entries(spec.options)
          .filter(([, option]) => option.type === "string")
          .map(([option]) => `--${option}`),
      ),
      ...Object.values(LOCAL_OPTIONS).flat(),
    ]),
  ];
  const nameCommands = entries.filter(([, spec]) => spec.takesName).map(([name]) => name);
  const wordCases = entries
    .filter(([, spec]) => spec.words)
    .map(([name, spec]) => `    ${name}) after="${words(spec.words ?? [])}" ;;`)
    .join("\n");
  const subCases = Object.entries(LOCAL_COMMANDS)
    .filter(([, subs]) => subs.length > 0)
    .map(([name, subs]) => `    ${name}) after="${words(subs)}" ;;`)
    .join("\n");
  return `# bash completion for atelier: \`atelier completion bash > /etc/bash_completion.d/atelier\`
# The containers whose names start with $cur, added to COMPREPLY. Never through \`compgen -W\`: it expands each word
# ($(…), \`…\`, $VAR) in this shell, and the names come from a server. Only a container name's characters pass.
_atelier_names() {
  local name
  while IFS= read -r name; do
    [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$ && $name == "$cur"* ]] && COMPREPLY+=("$name")
  done < <("\${COMP_WORDS[0]}" ls --names 2>/dev/null)
}

_atelier() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" command="\${COMP_WORDS[1]}"
  [[ $COMP_CWORD -gt 0 ]] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [[ $COMP_CWORD -le 1 ]]; then
    COMPREPLY=($(compgen -W "${words(commands)}" -- "$cur"))
    return 0
  fi
  case "$prev" in
    --ssh-key) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    --template) COMPREPLY=($(compgen -W "busybox debian" -- "$cur")); return 0 ;;
    --clone) _atelier_names; return 0 ;;
    --role) COMPREPLY=($(compgen -W "viewer operator admin" -- "$cur")); return 0 ;;
    ${valueOptions.join("|")}) return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    local opts=""
    case "$command" in
${optionCases}
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  # Which argument this is: the words since the command, less the options and their values.
  local position=0 index=2 word
  while [[ $index -lt $COMP_CWORD ]]; do
    word="\${COMP_WORDS[index]}"
    case "$word" in
      --*=*) ;;
      ${valueOptions.join("|")}) index=$((index + 1)) ;;
      -*) ;;
      *) position=$((position + 1)) ;;
    esac
    index=$((index + 1))
  done
  local after=""
  case "$command" in
${wordCases}
${subCases}
  esac
  case "$command" in
    ${nameCommands.join("|")})
      if [[ $position -eq 0 ]]; then
        _atelier_names
      elif [[ $position -eq 1 && -n "$after" ]]; then
        COMPREPLY=($(compgen -W "$after" -- "$cur"))
      fi ;;
    exec|attach)
      [[ $position -eq 0 ]] && _atelier_names ;;
    *)
      [[ $position -eq 0 && -n "$after" ]] && COMPREPLY=($(compgen -W "$after" -- "$cur")) ;;
  esac
  return 0
}
complete -F _atelier atelier
`;
};
