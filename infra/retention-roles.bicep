// Data-plane roles on the registry for retention, deployed only when retention is configured
// (retentionEnabled): list repositories, read tags and manifests, delete tags and manifests.
// Legacy registries: AcrPull + AcrDelete. ABAC-enabled registries ("Legacy ACR roles such as AcrPull,
// AcrPush, and AcrDelete are not honored"): Container Registry Repository Catalog Lister (the catalog)
// + Container Registry Repository Contributor (read, write, delete). Deployed in the registry's group.
param containerRegistryName string
param principalId string
@allowed(['legacy', 'abac'])
param roleMode string = 'legacy'

var roles = roleMode == 'abac'
  ? [
      'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7' // Container Registry Repository Catalog Lister
      '2efddaa5-3f1f-4df3-97df-af3f13818f4c' // Container Registry Repository Contributor
    ]
  : [
      '7f951dda-4ed3-4680-a7ca-43fe172d538d' // AcrPull
      'c2f4ef07-c644-48eb-af81-4b1b4947fb11' // AcrDelete
    ]

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: containerRegistryName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    name: guid(registry.id, principalId, role)
    scope: registry
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]
