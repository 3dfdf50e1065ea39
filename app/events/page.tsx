import type { Metadata } from "next";
import { EventTimeline } from "@/components/events/event-timeline";

export const metadata: Metadata = { title: "Events" };

export default function EventsPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Events</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Every state change LXC reports and every operation made here, newest first; new events appear as they
        happen.
      </p>
      <EventTimeline />
    </div>
  );
}
