import { assertTestEnvironment } from "../guard";

export default async function setup() {
  await assertTestEnvironment();
}
