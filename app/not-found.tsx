import Link from "next/link";

export default function NotFound() {
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <Link href="/containers" className="text-sky-700 underline dark:text-sky-400">
        Back to the containers
      </Link>
    </div>
  );
}
