import { assertTestEnvironment } from "../tests/guard";

export default async function globalSetup() {
  await assertTestEnvironment();
}
