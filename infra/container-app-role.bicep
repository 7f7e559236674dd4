// Container Apps Contributor for the app's identity on one Container App (a `container-app` deploy
// target): it reads the app, PATCHes its template and follows the update. Scoped to that app, not to
// its resource group (a module, so it can target the app's own resource group and subscription).
param containerAppName string
param principalId string

// Built-in "Container Apps Contributor" (shared/reference/next.md §1.3).
var containerAppsContributor = '358470bc-b998-42bd-ab17-a7e34c199c0f' // Container Apps Contributor

resource containerApp 'Microsoft.App/containerApps@2024-03-01' existing = {
  name: containerAppName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(containerApp.id, principalId, containerAppsContributor)
  scope: containerApp
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', containerAppsContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
