"""What the panel says, in Brazilian Portuguese, for the engine's English words.

The engine speaks English to developers (API errors, stored reasons); the panel speaks
to business owners. Messages that come from the engine as text (URL refusals, retry
refusals, disabled reasons) are recognised by their wording; anything unrecognised is
shown as a generic Portuguese sentence with the original beside it, never dropped. A
test walks every known wording so a change on the engine's side is caught.
"""

import re
from dataclasses import dataclass
from typing import Final

from gestly.delivery.sender import ErrorKind
from gestly.storage.deliveries import DeliveryStatus
from gestly.storage.endpoints import DISABLED_BY_ACCOUNT

STATUS_LABELS: Final = {
    DeliveryStatus.PENDING: "Aguardando envio",
    DeliveryStatus.RETRYING: "Tentando de novo",
    DeliveryStatus.SUCCEEDED: "Entregue",
    DeliveryStatus.FAILED: "Falhou",
}

STATUS_HINTS: Final = {
    DeliveryStatus.PENDING: "Ainda não foi enviado.",
    DeliveryStatus.RETRYING: (
        "A última tentativa falhou. O Gestly vai tentar de novo automaticamente."
    ),
    DeliveryStatus.SUCCEEDED: "O seu sistema recebeu e confirmou o evento.",
    DeliveryStatus.FAILED: (
        "Todas as tentativas automáticas falharam. Corrija o problema no seu sistema "
        "e use “Reenviar”."
    ),
}

# For the status filter: the value in the URL and the words a person reads.
STATUS_CHOICES: Final = [
    (status.value, STATUS_LABELS[status]) for status in DeliveryStatus
]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an attempt failed, and what the business can do about it."""

    title: str
    advice: str


def describe_failure(kind: str | None, status_code: int | None) -> Failure | None:
    """The plain-words reason for a failed attempt; None for a successful one."""
    if kind is None:
        return None
    try:
        error = ErrorKind(kind)
    except ValueError:
        return Failure(
            f"falha não identificada ({kind})",
            "Tente reenviar; se continuar, fale com o suporte do Gestly.",
        )
    if error is ErrorKind.HTTP_STATUS:
        return http_status_failure(status_code)
    return FAILURES[error]


def http_status_failure(status_code: int | None) -> Failure:
    code = "" if status_code is None else f" {status_code}"
    title = f"o receptor respondeu com erro HTTP{code}"
    if status_code in {401, 403}:
        advice = (
            "O seu sistema recusou o envio. Confira se ele usa o segredo certo para "
            "validar a assinatura."
        )
    elif status_code == 404:
        advice = "O endereço não existe no seu sistema. Confira a URL do endpoint."
    elif status_code == 410:
        advice = (
            "O seu sistema disse que o endereço não existe mais (410), e o Gestly "
            "desativou o endpoint. Corrija a URL e ative-o de novo."
        )
    elif status_code == 429:
        advice = (
            "O seu sistema pediu para esperar (muitas requisições). O Gestly tenta de "
            "novo mais tarde, sozinho."
        )
    elif status_code is not None and status_code >= 500:
        advice = (
            "O seu sistema teve um erro interno ao receber o evento. Veja os registros "
            "(logs) dele; o Gestly tenta de novo automaticamente."
        )
    else:
        advice = "O seu sistema não aceitou o evento. Veja a resposta abaixo."
    return Failure(title, advice)


FAILURES: Final = {
    ErrorKind.REDIRECT: Failure(
        "redirecionamento não seguido",
        "O receptor mandou ir para outro endereço. O Gestly não segue "
        "redirecionamentos: coloque no endpoint a URL final.",
    ),
    ErrorKind.TIMEOUT: Failure(
        "tempo esgotado",
        "O seu sistema demorou demais para responder. Responda logo ao receber e "
        "processe o evento depois.",
    ),
    ErrorKind.CONNECTION_REFUSED: Failure(
        "conexão recusada",
        "Nada estava atendendo nesse endereço. Confira se o seu sistema está no ar e "
        "se a porta da URL está certa.",
    ),
    ErrorKind.DNS_FAILURE: Failure(
        "nome do servidor não encontrado",
        "O nome do servidor na URL não existe. Confira se a URL está escrita certo.",
    ),
    ErrorKind.TLS_ERROR: Failure(
        "falha de TLS (certificado inválido)",
        "A conexão segura (https) falhou: o certificado do servidor está vencido, é "
        "autoassinado ou não corresponde ao nome do servidor.",
    ),
    ErrorKind.BLOCKED_DESTINATION: Failure(
        "endereço não permitido",
        "A URL aponta para um endereço interno ou privado, para onde o Gestly não "
        "envia eventos. Use um endereço público.",
    ),
    ErrorKind.CONNECTION_ERROR: Failure(
        "a conexão caiu",
        "A conexão foi interrompida antes da resposta. Se acontecer sempre, "
        "confira o servidor do seu sistema.",
    ),
    ErrorKind.RESPONSE_TOO_LARGE: Failure(
        "resposta grande demais",
        "O seu sistema respondeu com mais de 256 KiB. Responda só com uma "
        "confirmação curta.",
    ),
    ErrorKind.INVALID_RESPONSE: Failure(
        "resposta inválida",
        "A resposta não era HTTP válido. Confira se a URL aponta para um servidor web.",
    ),
}

# The reasons ``describe_refusal`` gives for an address, as the panel says them.
ADDRESS_REASONS: Final = {
    "a loopback address": "um endereço local (desta própria máquina)",
    "an unspecified address": "um endereço não especificado",
    "a link-local address (this includes cloud metadata services)": (
        "um endereço de rede local (link-local)"
    ),
    "a multicast address": "um endereço de multicast",
    "a private network address": "um endereço de rede privada",
    "a reserved or non-public address": "um endereço reservado, que não é público",
}

# (pattern of the engine's message, Portuguese sentence); the first match wins.
URL_PROBLEMS: Final[list[tuple[re.Pattern[str], str]]] = [
    (
        re.compile(r"longer than (\d+) characters"),
        "A URL é longa demais: use no máximo {0} caracteres.",
    ),
    (
        re.compile(r"contains spaces or control characters"),
        "A URL tem espaços ou caracteres invisíveis. Copie-a de novo, sem espaços.",
    ),
    (
        re.compile(r"is malformed"),
        "A URL está mal formada. Confira se foi copiada inteira, como "
        "https://meusistema.com.br/webhooks.",
    ),
    (
        re.compile(r"must start with https://$"),
        "A URL precisa começar com https://, como https://meusistema.com.br/webhooks.",
    ),
    (
        re.compile(r"must start with http:// or https://"),
        "A URL precisa começar com https:// (ou http:// neste modo de "
        "desenvolvimento), como https://meusistema.com.br/webhooks.",
    ),
    (
        re.compile(r"must use https://"),
        "A URL precisa usar https:// (endereços http://, sem criptografia, não são "
        "aceitos).",
    ),
    (
        re.compile(r"must not contain a user name or password"),
        "Tire o usuário e a senha da URL: o seu sistema confere os envios pela "
        "assinatura.",
    ),
    (
        re.compile(r"port must be between 1 and 65535"),
        "A porta da URL (o número depois de “:”) precisa estar entre 1 e 65535.",
    ),
    (
        re.compile(r"has no host name"),
        "Falta o nome do servidor na URL, como em https://meusistema.com.br/webhooks.",
    ),
    (
        re.compile(r"must not contain a #fragment"),
        "Tire da URL a parte que começa com #.",
    ),
    (
        re.compile(r"'(.+)' is not a valid host name"),
        "“{0}” não é um nome de servidor válido. Confira se a URL está escrita certo.",
    ),
    (
        re.compile(r"resolves to (\S+), (.+); webhooks go only to public addresses"),
        "A URL aponta para {0}, {1}. O Gestly só envia eventos para endereços "
        "públicos da internet.",
    ),
    (
        re.compile(r"the host '(.+)' (?:does not resolve|has no addresses)"),
        "Não encontramos o servidor “{0}”. Confira se a URL está escrita certo.",
    ),
]


def translate_url_problem(message: str) -> str:
    """The engine's reason for refusing a webhook URL, in Portuguese."""
    for pattern, sentence in URL_PROBLEMS:
        match = pattern.search(message)
        if match is None:
            continue
        values = list(match.groups())
        if pattern.groups == 2 and values[1] in ADDRESS_REASONS:
            values[1] = ADDRESS_REASONS[values[1]]
        return sentence.format(*values)
    return f"O Gestly não pode enviar eventos para essa URL ({message})."


def translate_disabled_reason(reason: str | None) -> str:
    """Why an endpoint is disabled, as the endpoint's page says it."""
    if reason is None or reason == DISABLED_BY_ACCOUNT:
        return "desativado por você"
    if "410" in reason:
        return (
            "desativado automaticamente: o seu sistema respondeu 410 (não existe mais)"
        )
    if reason == "endpoint deleted":
        return "excluído"
    return f"desativado ({reason})"


def translate_retry_refusal(message: str) -> str:
    """Why a manual retry (Reenviar) cannot start now."""
    if message.startswith("the endpoint is disabled (endpoint deleted)"):
        return "Não dá para reenviar: o endpoint desta entrega foi excluído."
    if message.startswith("the endpoint is disabled"):
        reason = re.search(r"\((.*)\)", message)
        detail = translate_disabled_reason(reason.group(1) if reason else None)
        return (
            f"Não dá para reenviar: o endpoint está {detail}. Ative o endpoint e "
            "tente de novo."
        )
    if message.startswith("an attempt is in progress"):
        return (
            "Um envio deste evento está acontecendo agora. Tente de novo em instantes."
        )
    if message.startswith("a retry is already waiting"):
        return "Um reenvio já está na fila e sai em instantes."
    return f"Não foi possível reenviar agora ({message})."


def translate_last_error(message: str | None) -> str | None:
    """A delivery's ``last_error`` when it failed without any attempt."""
    if message is None:
        return None
    if message.startswith("not sent: endpoint disabled"):
        reason = re.search(r"\((.*)\)", message)
        detail = translate_disabled_reason(reason.group(1) if reason else None)
        return f"não enviado: o endpoint estava {detail}"
    return None


ACTION_MESSAGES: Final = {
    "endpoint-criado": "Endpoint adicionado. Copie o segredo para o seu sistema.",
    "endpoint-ativado": "Endpoint ativado: ele volta a receber eventos.",
    "endpoint-desativado": (
        "Endpoint desativado: ele não recebe eventos até ser ativado de novo."
    ),
    "endpoint-excluido": "Endpoint excluído.",
    "endpoint-alterado": "Alterações salvas.",
    "token-revogado": "Token revogado: ele não funciona mais.",
    "reenvio-pedido": "Reenvio pedido: o evento sai em instantes.",
    "saiu": "Você saiu do painel.",
    "sessao-expirada": "Sua sessão expirou. Entre de novo para continuar.",
}

LOGIN_FAILED: Final = "E-mail ou senha incorretos. Confira e tente de novo."
LOGIN_THROTTLED: Final = (
    "Muitas tentativas de entrada sem sucesso. Por segurança, espere {minutes} "
    "minutos e tente de novo."
)
CSRF_REFUSED: Final = (
    "Este formulário expirou ou não veio do painel do Gestly. Volte, atualize a "
    "página e tente de novo."
)
