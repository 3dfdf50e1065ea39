// The creation form's schemas live with the other shared schemas (server/schemas/): the wizard, the provisioner
// and the helper validate with them too.
export * from "../../../schemas/create-container";
