"use client";

import { useId, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { AdminLockNote, useAdminLock } from "./admin-locks";
import { lookupKey } from "@/server/schemas/lxc-config/catalogue";
import { LxcConfig } from "@/server/schemas/lxc-config/model";
import { checkValue } from "@/server/schemas/lxc-config/validate";
import { BindMountForm } from "./bind-mount";

/**
 * The structured editor: the common settings by section, each field showing the exact line it writes. It edits the
 * same text as the raw editor, through the lossless model: a field rewrites only its own line (or adds one to its
 * group), so switching between the two loses nothing.
 */
type TEdit = (change: (config: LxcConfig) => void) => void;
type TProps = {
  text: string;
  onChange: (text: string) => void;
  cgroup: "v1" | "v2";
  /** Where the host picker of bind mounts starts (ATELIER_BIND_ROOTS). */
  bindRoots?: string[];
};

const lineOf = (key: string, value: string) => `${key} = ${value}`;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

/** One single-valued key: empty removes the line. */
function KeyField({
  config,
  edit,
  configKey,
  label,
  placeholder,
  options,
}: {
  config: LxcConfig;
  edit: TEdit;
  configKey: string;
  label: string;
  placeholder?: string;
  options?: readonly string[];
}) {
  const id = useId();
  const value = config.get(configKey) ?? "";
  // What is being typed: written to the text as soon as it has no space at either end (a line cannot end in one).
  const [typing, setTyping] = useState<string | null>(null);
  const info = lookupKey(configKey);
  const problem = info && value !== "" ? checkValue(configKey, info, value) : null;
  const lockReason = useAdminLock()(configKey, value === "" ? "x" : value);
  const set = (next: string) =>
    edit((draft) => {
      if (next === "") draft.remove(configKey);
      else draft.set(configKey, next);
    });
  const type = (next: string) => {
    const clean = next.replace(/[\r\n]/g, "");
    setTyping(clean);
    if (clean === clean.trim()) set(clean);
  };
  const isBool = info?.type === "bool";
  return (
    <div className="grid gap-1 md:grid-cols-3 md:items-start md:gap-3">
      <label htmlFor={id} className="text-sm font-medium md:pt-2">
        {label}
      </label>
      <div className="space-y-1 md:col-span-2">
        {isBool ? (
          <input
            id={id}
            type="checkbox"
            checked={value === "1"}
            onChange={(event) => set(event.target.checked ? "1" : "")}
            className="h-4 w-4"
          />
        ) : options ? (
          <select
            id={id}
            value={value}
            onChange={(event) => set(event.target.value)}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800"
          >
            <option value="">(not set)</option>
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            value={typing ?? value}
            placeholder={placeholder}
            aria-invalid={Boolean(problem)}
            aria-describedby={`${id}-line`}
            onChange={(event) => type(event.target.value)}
            onBlur={() => {
              if (typing !== null && typing !== typing.trim()) set(typing.trim());
              setTyping(null);
            }}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-800"
          />
        )}
        <p id={`${id}-line`} className="text-xs text-slate-500 dark:text-slate-400">
          {problem ? (
            <span className="text-red-700 dark:text-red-300">{problem}</span>
          ) : (
            <>
              {info?.description}
              {info?.apply === "live" ? " · applies live" : ""} ·{" "}
              <code className="font-mono">
                {value === "" ? `(no ${configKey} line)` : lineOf(configKey, value)}
              </code>
            </>
          )}
        </p>
        <AdminLockNote reason={value === "" && !isAlwaysLocked(lockReason, configKey) ? null : lockReason} />
      </div>
    </div>
  );
}

/** A key an operator may never add whatever its value (cap.keep, fstab…): its field says so even while empty. */
const isAlwaysLocked = (reason: string | null, key: string) =>
  reason !== null && ["lxc.cap.keep", "lxc.mount.fstab", "lxc.apparmor.raw"].includes(key);

/** A repeatable key as a list: each value one line, removable; a new value is added after the group's last line. */
function RepeatedKey({
  config,
  edit,
  configKey,
  label,
  placeholder,
  presets = [],
}: {
  config: LxcConfig;
  edit: TEdit;
  configKey: string;
  label: string;
  placeholder: string;
  presets?: { label: string; value: string }[];
}) {
  const id = useId();
  const values = config.getAll(configKey);
  const info = lookupKey(configKey);
  const reasonFor = useAdminLock();
  const add = (value: string) => {
    const trimmed = value.trim();
    if (trimmed === "" || values.includes(trimmed)) return;
    edit((draft) => draft.add(configKey, trimmed));
  };
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium" id={`${id}-label`}>
        {label}
        <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">
          {info?.description}
        </span>
      </p>
      <ul aria-labelledby={`${id}-label`} className="space-y-1">
        {values.map((value) => (
          <li
            key={value}
            className="flex items-center justify-between gap-2 rounded bg-slate-50 px-2 py-1 dark:bg-slate-800"
          >
            <code className="font-mono text-xs">
              {reasonFor(configKey, value) && (
                <span title={`Only an admin may add or change this line: ${reasonFor(configKey, value)}`}>
                  🔒{" "}
                </span>
              )}
              {lineOf(configKey, value)}
            </code>
            <Button size="sm" variant="ghost" onClick={() => edit((draft) => draft.remove(configKey, value))}>
              Remove<span className="sr-only"> {value}</span>
            </Button>
          </li>
        ))}
        {values.length === 0 && <li className="text-xs text-slate-500 dark:text-slate-400">none</li>}
      </ul>
      <form
        className="flex flex-wrap gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          const input = event.currentTarget.elements.namedItem("value") as HTMLInputElement;
          const lock = reasonFor(configKey, input.value.trim());
          const problem =
            (info ? checkValue(configKey, info, input.value.trim()) : null) ??
            (lock ? `Only an admin may add this line: ${lock}` : null);
          input.setCustomValidity(problem ?? "");
          if (!input.reportValidity()) return;
          add(input.value);
          input.value = "";
        }}
      >
        <label htmlFor={`${id}-new`} className="sr-only">
          New {label}
        </label>
        <input
          id={`${id}-new`}
          name="value"
          placeholder={placeholder}
          onInput={(event) => event.currentTarget.setCustomValidity("")}
          className="min-w-64 flex-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
        />
        <Button type="submit" size="sm">
          Add
        </Button>
        {presets.map((preset) => (
          <Button
            key={preset.value}
            size="sm"
            variant="ghost"
            disabled={values.includes(preset.value)}
            onClick={() => add(preset.value)}
          >
            {preset.label}
          </Button>
        ))}
      </form>
    </div>
  );
}

const DEVICES = [
  { label: "null", value: "c 1:3 rwm" },
  { label: "zero", value: "c 1:5 rwm" },
  { label: "random", value: "c 1:8 rwm" },
  { label: "urandom", value: "c 1:9 rwm" },
  { label: "tty", value: "c 5:0 rwm" },
  { label: "console", value: "c 5:1 rwm" },
  { label: "ptmx", value: "c 5:2 rwm" },
  { label: "pts", value: "c 136:* rwm" },
];

const randomMac = () =>
  `00:16:3e:${Array.from({ length: 3 }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join(":")}`;

function Interfaces({ config, edit }: { config: LxcConfig; edit: TEdit }) {
  const indexes = [
    ...new Set(
      config
        .entries()
        .map((entry) => /^lxc\.net\.(\d+)\./.exec(entry.key)?.[1])
        .filter((index): index is string => index !== undefined),
    ),
  ].sort((a, b) => Number(a) - Number(b));
  const next = indexes.length === 0 ? 0 : Math.max(...indexes.map(Number)) + 1;
  return (
    <div className="space-y-4">
      {indexes.map((index, position) => {
        const key = (field: string) => `lxc.net.${index}.${field}`;
        return (
          <div key={index} className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
            <div className="flex items-center justify-between gap-2">
              <h4 className="mr-auto text-sm font-semibold">Interface {index}</h4>
              {position > 0 && (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() =>
                    edit((draft) => draft.swapInterfaces(Number(indexes[position - 1]), Number(index)))
                  }
                >
                  Move interface {index} up
                </Button>
              )}
              <Button
                size="sm"
                variant="ghost"
                onClick={() =>
                  edit((draft) => {
                    for (const entry of draft.entries().filter((e) => e.key.startsWith(`lxc.net.${index}.`)))
                      draft.remove(entry.key);
                  })
                }
              >
                Remove interface {index}
              </Button>
            </div>
            <KeyField
              config={config}
              edit={edit}
              configKey={key("type")}
              label="Type"
              options={lookupKey(key("type"))?.values}
            />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("link")}
              label="Host link (bridge or NIC)"
              placeholder="lxcbr0"
            />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("name")}
              label="Name inside"
              placeholder="eth0"
            />
            <KeyField config={config} edit={edit} configKey={key("flags")} label="Flags" options={["up"]} />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("hwaddr")}
              label="MAC address"
              placeholder="00:16:3e:xx:xx:xx"
            />
            <KeyField config={config} edit={edit} configKey={key("mtu")} label="MTU" placeholder="1500" />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("ipv4.address")}
              label="IPv4 address"
              placeholder="10.0.3.10/24 (empty: DHCP)"
            />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("ipv4.gateway")}
              label="IPv4 gateway"
              placeholder="10.0.3.1"
            />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("ipv6.address")}
              label="IPv6 address"
              placeholder="fd00::10/64"
            />
            <KeyField
              config={config}
              edit={edit}
              configKey={key("ipv6.gateway")}
              label="IPv6 gateway"
              placeholder="fd00::1"
            />
          </div>
        );
      })}
      <Button
        onClick={() =>
          edit((draft) => {
            draft.add(`lxc.net.${next}.type`, "veth");
            draft.add(`lxc.net.${next}.flags`, "up");
            draft.add(`lxc.net.${next}.name`, `eth${next}`);
            draft.add(`lxc.net.${next}.hwaddr`, randomMac());
          })
        }
      >
        Add an interface
      </Button>
    </div>
  );
}

export function SettingsForm({ text, onChange, cgroup, bindRoots = [] }: TProps) {
  const config = LxcConfig.parse(text);
  const edit: TEdit = (change) => {
    const draft = LxcConfig.parse(text);
    change(draft);
    onChange(draft.toString());
  };
  const cg = cgroup === "v2" ? "lxc.cgroup2" : "lxc.cgroup";
  const shared = { config, edit };
  return (
    <div className="space-y-4">
      <Section title="General">
        <KeyField {...shared} configKey="lxc.uts.name" label="Hostname" />
        <KeyField
          {...shared}
          configKey="lxc.arch"
          label="Architecture"
          options={lookupKey("lxc.arch")?.values}
        />
      </Section>
      <Section title="Network interfaces">
        <Interfaces {...shared} />
      </Section>
      <Section title={`Resources (cgroup ${cgroup}: ${cg}.*)`}>
        <KeyField
          {...shared}
          configKey={cgroup === "v2" ? "lxc.cgroup2.memory.max" : "lxc.cgroup.memory.limit_in_bytes"}
          label="Memory limit"
          placeholder="512M"
        />
        {cgroup === "v1" && (
          <KeyField
            {...shared}
            configKey="lxc.cgroup.memory.memsw.limit_in_bytes"
            label="Memory + swap limit"
            placeholder="1G"
          />
        )}
        {cgroup === "v2" && (
          <KeyField
            {...shared}
            configKey="lxc.cgroup2.memory.swap.max"
            label="Swap limit"
            placeholder="512M"
          />
        )}
        <KeyField
          {...shared}
          configKey={cgroup === "v2" ? "lxc.cgroup2.cpu.weight" : "lxc.cgroup.cpu.shares"}
          label="CPU weight"
          placeholder={cgroup === "v2" ? "100" : "1024"}
        />
        <KeyField {...shared} configKey={`${cg}.cpuset.cpus`} label="CPUs (cpuset)" placeholder="0-1" />
        <KeyField {...shared} configKey={`${cg}.pids.max`} label="Most processes" placeholder="512" />
      </Section>
      <Section title="Devices">
        <RepeatedKey
          {...shared}
          configKey={`${cg}.devices.deny`}
          label="Denied"
          placeholder="a"
          presets={[{ label: "all", value: "a" }]}
        />
        <RepeatedKey
          {...shared}
          configKey={`${cg}.devices.allow`}
          label="Allowed"
          placeholder="c 1:3 rwm"
          presets={DEVICES}
        />
      </Section>
      <Section title="Mounts">
        <RepeatedKey
          {...shared}
          configKey="lxc.mount.entry"
          label="Mount entries"
          placeholder="/srv/data srv/data none bind,create=dir 0 0"
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.mount.auto"
          label="Automatic mounts"
          placeholder="proc:mixed sys:ro"
        />
        <BindMountForm
          bindRoots={bindRoots}
          onAdd={(line) => edit((draft) => draft.add("lxc.mount.entry", line))}
        />
        <KeyField
          {...shared}
          configKey="lxc.mount.fstab"
          label="fstab file"
          placeholder="/var/lib/lxc/NAME/fstab"
        />
      </Section>
      <Section title="Consoles">
        <KeyField {...shared} configKey="lxc.tty.max" label="ttys" placeholder="4" />
        <KeyField {...shared} configKey="lxc.pty.max" label="Pseudo-terminals" placeholder="1024" />
      </Section>
      <Section title="Autostart">
        <KeyField {...shared} configKey="lxc.start.auto" label="Start at boot" />
        <KeyField {...shared} configKey="lxc.start.order" label="Order" placeholder="0" />
        <KeyField {...shared} configKey="lxc.start.delay" label="Delay (s)" placeholder="0" />
        <RepeatedKey {...shared} configKey="lxc.group" label="Groups" placeholder="onboot" />
      </Section>
      <Section title="Security">
        <RepeatedKey
          {...shared}
          configKey="lxc.cap.drop"
          label="Dropped capabilities"
          placeholder="sys_module mac_admin"
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.cap.keep"
          label="Kept capabilities (all others dropped)"
          placeholder="sys_admin"
        />
        <KeyField
          {...shared}
          configKey="lxc.apparmor.profile"
          label="AppArmor profile"
          placeholder="generated"
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.idmap"
          label="ID maps (unprivileged)"
          placeholder="u 0 100000 65536"
        />
      </Section>
    </div>
  );
}
