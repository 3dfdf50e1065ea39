import type { Metadata } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { AppNav } from "@/components/app-nav";
import { LiveEvents, Toasts } from "@/components/live/live-events";
import { MetricsFeed } from "@/components/metrics/metrics-feed";
import { CommandPalette } from "@/components/palette/command-palette";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

// Rendered per request: every response carries its own CSP nonce, which prerendered HTML could not.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Atelier", template: "%s · Atelier" },
  description: "Web admin panel for Linux Containers (LXC)",
  // public/: the icons, and the manifest that lets a phone pin the panel to its home screen.
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "48x48" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
  manifest: "/manifest.webmanifest",
  // A panel on the LAN is nobody's search result (robots.txt says the same to crawlers that ask).
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const t = await getTranslations("common");
  return (
    <html lang={locale}>
      <body className="min-h-screen">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
        >
          {t("skipToContent")}
        </a>
        <NextIntlClientProvider>
          <Providers>
            <LiveEvents>
              <MetricsFeed>
                <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
                  <AppNav />
                </header>
                <main id="main" className="mx-auto max-w-6xl px-4 py-6">
                  {children}
                </main>
                <Toasts />
                <CommandPalette />
              </MetricsFeed>
            </LiveEvents>
          </Providers>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
