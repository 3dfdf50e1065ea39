/** Rows per page: a Debian system has hundreds of packages. */
export const PAGE_SIZE = 100;

/** The rows a filter keeps (name or summary, case-insensitive), and the page of them shown. */
export const filterRows = <T extends { name: string; summary: string }>(
  rows: T[],
  filter: string,
  page: number,
) => {
  const needle = filter.trim().toLowerCase();
  const kept = needle
    ? rows.filter(
        (row) => row.name.toLowerCase().includes(needle) || row.summary.toLowerCase().includes(needle),
      )
    : rows;
  const pages = Math.max(1, Math.ceil(kept.length / PAGE_SIZE));
  const current = Math.min(Math.max(page, 0), pages - 1);
  return {
    kept: kept.length,
    pages,
    page: current,
    rows: kept.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE),
  };
};
